namespace Scheduler.Hosting;

/// <summary>
/// One process per data folder (SQLite journals are not shared between processes): an exclusive lock
/// on <c>DIR/.lock</c> held for the life of the node.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    private readonly FileStream _stream;

    private DataFolderLock(FileStream stream) => _stream = stream;

    public static DataFolderLock Acquire(string dataDir, string what)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, ".lock");
        try
        {
            return new DataFolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            throw new ConfigurationException($"{what} data folder '{dataDir}' is in use by another process");
        }
    }

    public void Dispose() => _stream.Dispose();
}
