using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IoTOwnerBot.Persistence;

/// <summary>
/// Puts every write to the SQLite store through the <see cref="SqliteWriteGate"/>: a transaction holds it from before
/// its BEGIN until it is committed, rolled back, failed or its connection closes (a transaction disposed without either);
/// a write command outside a transaction holds it while it runs: a conditional update or delete, and a write that EF Core
/// runs as a reader (<c>SaveChanges</c> of a single statement needs no transaction and reads back what the store
/// generated; SQLite holds the write lock until that reader is closed). Reads do not take it: in WAL mode they never
/// wait for the writer.
/// </summary>
internal sealed class SqliteWriteGateInterceptor(SqliteWriteGate gate) : IDbTransactionInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor
{
    private readonly ConcurrentDictionary<DbConnection, byte> _holders = new();
    private readonly ConcurrentDictionary<DbCommand, byte> _commands = new();

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        _ = await EnterAsync(connection, cancellationToken);
        return result;
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        _ = Enter(connection);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(ConnectionOf(eventData));

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Released(ConnectionOf(eventData));

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(ConnectionOf(eventData));

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Released(ConnectionOf(eventData));

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Release(ConnectionOf(eventData));

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) =>
        Released(ConnectionOf(eventData));

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        await TakeTurnAsync(command, writes: true, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        TakeTurn(command, writes: true);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await TakeTurnAsync(command, Writes(command, eventData), cancellationToken);
        return result;
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        TakeTurn(command, Writes(command, eventData));
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await TakeTurnAsync(command, Writes(command, eventData), cancellationToken);
        return result;
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        TakeTurn(command, Writes(command, eventData));
        return result;
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Ended(command);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        Ended(command);
        return ValueTask.FromResult(result);
    }

    /// <summary>A writing reader's statement ends when its reader is closed: only then does SQLite let go of the lock.</summary>
    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Ended(command);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Ended(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Ended(command);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Ended(command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Ended(command);
        return ValueTask.FromResult(result);
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData)
    {
        Ended(command);
    }

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(command);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData)
    {
        Ended(command);
    }

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(command);
        return Task.CompletedTask;
    }

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData) => Released(connection);

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData) => Released(connection);

    /// <summary>
    /// Whether a command run as a reader or a scalar writes: EF Core's own writes say so by their source; SQL written by
    /// hand is judged by its first keyword (a leading comment, EF's query tags, skipped).
    /// </summary>
    internal static bool Writes(DbCommand command, CommandEventData eventData) =>
        eventData.CommandSource is CommandSource.SaveChanges or CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete or CommandSource.Migrations
        || StartsWithWrite(command.CommandText);

    internal static bool StartsWithWrite(string? sql)
    {
        var text = sql.AsSpan();
        while (true)
        {
            text = text.TrimStart();
            if (text.StartsWith("--"))
            {
                var end = text.IndexOf('\n');
                if (end < 0) return false;
                text = text[(end + 1)..];
            }
            else if (text.StartsWith("/*"))
            {
                var end = text.IndexOf("*/");
                if (end < 0) return false;
                text = text[(end + 2)..];
            }
            else break;
        }
        foreach (var keyword in WriteKeywords)
            if (text.StartsWith(keyword, StringComparison.OrdinalIgnoreCase) && (text.Length == keyword.Length || !char.IsAsciiLetterOrDigit(text[keyword.Length])))
                return true;
        return false;
    }

    private static readonly string[] WriteKeywords = ["INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "PRAGMA", "VACUUM"];

    /// <summary>A write command outside a transaction takes its own turn, which ends with it (<see cref="Ended"/>).</summary>
    private async ValueTask TakeTurnAsync(DbCommand command, bool writes, CancellationToken ct)
    {
        if (writes && command.Transaction is null && await EnterAsync(command.Connection!, ct)) _commands[command] = 0;
    }

    private void TakeTurn(DbCommand command, bool writes)
    {
        if (writes && command.Transaction is null && Enter(command.Connection!)) _commands[command] = 0;
    }

    /// <summary>Takes the turn for <paramref name="connection"/>; false when it has it already (a write inside its own turn does not queue again).</summary>
    private async Task<bool> EnterAsync(DbConnection connection, CancellationToken ct)
    {
        if (_holders.ContainsKey(connection)) return false;
        await gate.EnterAsync(ct);
        _holders[connection] = 0;
        return true;
    }

    private bool Enter(DbConnection connection)
    {
        if (_holders.ContainsKey(connection)) return false;
        gate.Enter();
        _holders[connection] = 0;
        return true;
    }

    /// <summary>A write command outside a transaction ended: its own turn (only one it took) ends with it.</summary>
    private void Ended(DbCommand command)
    {
        if (_commands.TryRemove(command, out _)) Release(command.Connection);
    }

    /// <summary>The connection a transaction event is about (the provider forgets a finished transaction's connection).</summary>
    private static DbConnection? ConnectionOf(DbContextEventData eventData) => eventData.Context?.Database.GetDbConnection();

    private void Release(DbConnection? connection)
    {
        if (connection is not null && _holders.TryRemove(connection, out _)) gate.Exit();
    }

    private Task Released(DbConnection? connection)
    {
        Release(connection);
        return Task.CompletedTask;
    }
}
