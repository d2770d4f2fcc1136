using Akka.Configuration;

namespace Scheduler.Contracts.Serialization;

/// <summary>Binds <see cref="ISchedulerMessage"/> to <see cref="SchedulerSerializer"/>; every scheduler ActorSystem includes it.</summary>
public static class SerializationConfig
{
    public static Config Hocon { get; } = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.scheduler = "{{typeof(SchedulerSerializer).AssemblyQualifiedNameShort()}}"
          serialization-bindings {
            "{{typeof(ISchedulerMessage).AssemblyQualifiedNameShort()}}" = scheduler
          }
          serialization-identifiers {
            "{{typeof(SchedulerSerializer).AssemblyQualifiedNameShort()}}" = {{SchedulerSerializer.SerializerId}}
          }
        }
        """);

    private static string AssemblyQualifiedNameShort(this Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
