using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace Scheduler.Client;

/// <summary>
/// Akka logger that writes to standard error (or the writer the client was given), so a client's Akka log
/// lines never mix with a command's output on standard output.
/// </summary>
public sealed class TextWriterLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private static readonly ConditionalWeakTable<ActorSystem, TextWriter> Writers = new();

    public TextWriterLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            var writer = Writers.TryGetValue(Context.System, out var custom) ? custom : Console.Error;
            writer.WriteLine(e.ToString());
        });
    }

    internal static void UseWriter(ActorSystem system, TextWriter writer) => Writers.AddOrUpdate(system, writer);
}
