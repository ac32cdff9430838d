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

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(connection, cancellationToken);
        return result;
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Enter(connection);
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
        if (command.Transaction is null) await EnterAsync(command.Connection!, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (command.Transaction is null) Enter(command.Connection!);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        if (command.Transaction is null) Release(command.Connection);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (command.Transaction is null) Release(command.Connection);
        return ValueTask.FromResult(result);
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData)
    {
        if (command.Transaction is null) Release(command.Connection);
    }

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (command.Transaction is null) Release(command.Connection);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData)
    {
        if (command.Transaction is null) Release(command.Connection);
    }

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (command.Transaction is null) Release(command.Connection);
        return Task.CompletedTask;
    }

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData) => Released(connection);

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(connection);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData) => Released(connection);

    private async Task EnterAsync(DbConnection connection, CancellationToken ct)
    {
        // A write already inside this connection's turn (a command of its open transaction) does not queue again.
        if (_holders.ContainsKey(connection)) return;
        await gate.EnterAsync(ct);
        _holders[connection] = 0;
    }

    private void Enter(DbConnection connection)
    {
        if (_holders.ContainsKey(connection)) return;
        gate.Enter();
        _holders[connection] = 0;
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
