using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Persistence;

/// <summary>
/// A stopped service lets go of its SQLite file: pooled connections would otherwise keep it (and its -wal and -shm
/// files) open for the life of the process, which matters wherever the service is hosted inside another process.
/// Runs after every other service has stopped; a connection still in use is closed when it is given back.
/// </summary>
internal sealed class SqliteFileRelease(IOptions<StorageOptions> storage) : IHostedLifecycleService
{
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (storage.Value.Provider == StorageProvider.Sqlite)
        {
            using var connection = new SqliteConnection(PersistenceExtensions.SqliteConnectionString(storage.Value));
            SqliteConnection.ClearPool(connection);
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
