using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Persistence;

/// <summary>
/// Serialises schema migration of one SQLite file across processes with an operating-system lock on a side file
/// (<c>&lt;database&gt;.migrate.lock</c>). EF Core's own migration lock is a row in <c>__EFMigrationsLock</c>: a
/// migrator killed while holding it leaves the row behind, and every later start waits for it for ever. The system
/// lock cannot outlive its holder, and every migrator of the file takes it first, so whoever holds it knows that any
/// row left in <c>__EFMigrationsLock</c> belongs to a migrator that is gone, and clears it.
/// </summary>
internal sealed partial class SqliteMigrationLock : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly FileStream? _file;

    private SqliteMigrationLock(FileStream? file) => _file = file;

    /// <summary>The side file of a database file; null for an in-memory database, which no other process can open.</summary>
    internal static string? LockPathOf(string? connectionString)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        if (csb.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(csb.DataSource) ||
            string.Equals(csb.DataSource, ":memory:", StringComparison.Ordinal)) return null;
        return Path.GetFullPath(csb.DataSource) + ".migrate.lock";
    }

    /// <summary>Waits until no other live process migrates this database, then holds the lock until disposed.</summary>
    public static async Task<SqliteMigrationLock> AcquireAsync(string? connectionString, TimeProvider time, CancellationToken ct)
    {
        if (LockPathOf(connectionString) is not { } path) return new SqliteMigrationLock(null);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                // FileShare.None is an exclusive advisory lock (flock on Unix, a share lock on Windows): held only while open.
                return new SqliteMigrationLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
            }
            catch (IOException ex) when (ex is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
            {
                // Another live process is migrating; it lets go when done or when it dies.
                await Task.Delay(RetryDelay, time, ct);
            }
        }
    }

    /// <summary>Removes a row of EF Core's migration lock left by a migrator that died (only while this lock is held).</summary>
    public async Task ClearStaleEfLockAsync(BotDbContext db, ILogger<SqliteMigrationLock> logger, CancellationToken ct)
    {
        // An in-memory database has no lock file and no other process: nothing can be stale.
        if (_file is null) return;
        var exists = await db.Database.SqlQueryRaw<long>(
            "SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'").SingleAsync(ct);
        if (exists == 0) return;
        var cleared = await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsLock\"", ct);
        if (cleared > 0) Log.StaleLockCleared(logger, cleared);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null) await _file.DisposeAsync();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Cleared {Rows} stale row(s) of EF Core's migration lock left by a start-up that did not finish")]
        public static partial void StaleLockCleared(ILogger logger, int rows);
    }
}
