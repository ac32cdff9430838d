using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IoTOwnerBot.Persistence;

/// <summary>
/// Puts every write to the SQLite store through the <see cref="SqliteWriteGate"/>: a transaction holds it from before
/// its BEGIN until it is committed, rolled back, failed or its connection closes (a transaction disposed without either);
/// a write command outside a transaction (a conditional update) holds it while it runs. Reads do not take it: in WAL
/// mode they never wait for the writer.
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
        if (command.Transaction is null && await EnterAsync(command.Connection!, cancellationToken)) _commands[command] = 0;
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (command.Transaction is null && Enter(command.Connection!)) _commands[command] = 0;
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
