namespace Scheduler.Hosting;

/// <summary>Bad configuration: the message is one line naming the file and key and the expected form.</summary>
public sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
