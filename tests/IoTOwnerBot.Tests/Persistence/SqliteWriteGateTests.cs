using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Persistence;

/// <summary>The SQLite writer taken in turn: one holder, handed over in order, urgent writers first, a waiter that gives up skipped.</summary>
public sealed class SqliteWriteGateTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task OneHolder_NextWaiterGetsItOnExit_InOrder()
    {
        var gate = new SqliteWriteGate(_clock);
        await gate.EnterAsync(CancellationToken.None);
        var first = gate.EnterAsync(CancellationToken.None);
        var second = gate.EnterAsync(CancellationToken.None);
        Assert.False(first.IsCompleted);
        Assert.Equal((0, 2), gate.Waiting);

        gate.Exit();
        await first;
        Assert.False(second.IsCompleted);
        gate.Exit();
        await second;
        gate.Exit();
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public async Task UrgentWriter_GoesBeforeBackgroundWritersAlreadyWaiting()
    {
        var gate = new SqliteWriteGate(_clock);
        await gate.EnterAsync(CancellationToken.None);
        var background = gate.EnterAsync(CancellationToken.None);
        Task click;
        using (SqliteWriteGate.Urgent()) click = gate.EnterAsync(CancellationToken.None);
        Assert.Equal((1, 1), gate.Waiting);

        gate.Exit();
        await click;
        Assert.False(background.IsCompleted);
        gate.Exit();
        await background;
        gate.Exit();
    }

    [Fact]
    public async Task WaiterThatTimesOut_IsRefused_AndSkippedOnHandOver()
    {
        var gate = new SqliteWriteGate(_clock);
        await gate.EnterAsync(CancellationToken.None);
        var late = gate.EnterAsync(CancellationToken.None);
        var next = gate.EnterAsync(CancellationToken.None);

        _clock.Advance(SqliteWriteGate.MaxWait);
        await Assert.ThrowsAsync<TimeoutException>(() => late);
        await Assert.ThrowsAsync<TimeoutException>(() => next);
        var third = gate.EnterAsync(CancellationToken.None);
        gate.Exit();

        await third;
        Assert.True(gate.IsHeld);
        gate.Exit();
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public async Task CancelledWaiter_IsSkipped()
    {
        var gate = new SqliteWriteGate(_clock);
        await gate.EnterAsync(CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(stop.Token);
        var next = gate.EnterAsync(CancellationToken.None);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.Exit();
        await next;
        gate.Exit();
        Assert.False(gate.IsHeld);
    }

    [Fact]
    public async Task StoreWrites_HoldTheGateUntilTheirTransactionEnds_HoweverItEnds()
    {
        var gate = new SqliteWriteGate(_clock);
        var path = Path.Combine(Path.GetTempPath(), $"iotownerbot-gate-{Guid.NewGuid():N}.db");
        var options = new DbContextOptionsBuilder<SqliteBotDbContext>()
            .UseSqlite($"Data Source={path};Pooling=false").AddInterceptors(new SqliteWriteGateInterceptor(gate)).Options;
        try
        {
            await using var db = new SqliteBotDbContext(options);
            await db.Database.MigrateAsync();
            Assert.False(gate.IsHeld);

            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                Assert.True(gate.IsHeld);
                await db.WorkItems.Where(w => w.Attempts > 100).ExecuteDeleteAsync();
                Assert.True(gate.IsHeld);
                // Another writer waits for this one's turn.
                await using var other = new SqliteBotDbContext(options);
                var waiting = other.WorkItems.Where(w => w.Attempts > 100).ExecuteDeleteAsync();
                for (var i = 0; i < 500 && gate.Waiting != (0, 1); i++) await Task.Delay(10);
                Assert.Equal((0, 1), gate.Waiting);
                Assert.False(waiting.IsCompleted);
                await tx.CommitAsync();
                await waiting;
            }
            Assert.False(gate.IsHeld);

            await using (var tx = await db.Database.BeginTransactionAsync()) await tx.RollbackAsync();
            Assert.False(gate.IsHeld);

            // Disposed without a commit or a rollback (an early return): the turn still ends.
            await using (await db.Database.BeginTransactionAsync()) { }
            Assert.False(gate.IsHeld);
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(file);
        }
    }

    [Fact]
    public void ExitWithoutEnter_IsAnError() =>
        Assert.Throws<InvalidOperationException>(() => new SqliteWriteGate(_clock).Exit());
}
