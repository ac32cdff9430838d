using System.Diagnostics.Metrics;
using IoTOwnerBot.Persistence;
using Microsoft.Extensions.DependencyInjection;
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
    public Task StoreWrites_HoldTheGateUntilTheirTransactionEnds_HoweverItEnds() => WithStoreAsync(async (gate, options) =>
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
    });

    [Fact]
    public Task SingleStatementSaveChanges_WaitsItsTurn_AndHoldsItUntilItsReaderCloses() => WithStoreAsync(async (gate, options) =>
    {
        // EF Core runs a SaveChanges of one statement without a transaction, as a reader: SQLite's write lock is held until
        // that reader closes. Outside the gate it met a writer's lock and slept in the provider's 150 ms busy retry.
        await using var db = new SqliteBotDbContext(options);
        await db.Database.MigrateAsync();
        await using var other = new SqliteBotDbContext(options);
        other.WorkItems.Add(NewItem("single"));

        Task<int> saving;
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await db.WorkItems.Where(w => w.Attempts > 100).ExecuteDeleteAsync();
            saving = other.SaveChangesAsync();
            for (var i = 0; i < 500 && gate.Waiting != (0, 1); i++) await Task.Delay(10);
            Assert.Equal((0, 1), gate.Waiting);
            Assert.False(saving.IsCompleted);
            await tx.CommitAsync();
        }
        Assert.Equal(1, await saving);
        Assert.False(gate.IsHeld);
        Assert.Equal(1, await db.WorkItems.CountAsync());

        // A read takes no turn, even while a writer holds it.
        await using (await db.Database.BeginTransactionAsync())
        {
            Assert.Equal(1, await other.WorkItems.CountAsync());
            Assert.Equal((0, 0), gate.Waiting);
        }
        Assert.False(gate.IsHeld);
    });

    [Fact]
    public Task SingleStatementWriteThatFails_OrIsCancelled_GivesItsTurnBack() => WithStoreAsync(async (gate, options) =>
    {
        await using (var db = new SqliteBotDbContext(options))
        {
            await db.Database.MigrateAsync();
            db.WorkItems.Add(NewItem("taken"));
            await db.SaveChangesAsync();
        }
        Assert.False(gate.IsHeld);

        // The store refuses the write (the dedupe key is unique): the reader never opens, the turn still ends.
        await using (var db = new SqliteBotDbContext(options))
        {
            db.WorkItems.Add(NewItem("taken"));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }
        Assert.False(gate.IsHeld);

        // A write cancelled while it waits for its turn (a graceful stop) never holds it.
        await using (var holder = new SqliteBotDbContext(options))
        await using (var tx = await holder.Database.BeginTransactionAsync())
        {
            await using var db = new SqliteBotDbContext(options);
            db.WorkItems.Add(NewItem("stopped"));
            using var stop = new CancellationTokenSource();
            var saving = db.SaveChangesAsync(stop.Token);
            for (var i = 0; i < 500 && gate.Waiting != (0, 1); i++) await Task.Delay(10);
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => saving);
            await tx.CommitAsync();
        }
        Assert.False(gate.IsHeld);
        await using (var db = new SqliteBotDbContext(options))
            Assert.Equal(["taken"], await db.WorkItems.Select(w => w.DedupeKey).ToListAsync());
    });

    private IoTOwnerBot.Jobs.WorkItem NewItem(string key) =>
        new() { Kind = "test", DedupeKey = key, Payload = "{}", CreatedAt = _clock.GetUtcNow(), DueAt = _clock.GetUtcNow() };

    /// <summary>A fresh SQLite file behind the gate's interceptor, deleted afterwards.</summary>
    private async Task WithStoreAsync(Func<SqliteWriteGate, DbContextOptions<SqliteBotDbContext>, Task> test)
    {
        var gate = new SqliteWriteGate(_clock);
        var path = Path.Combine(Path.GetTempPath(), $"iotownerbot-gate-{Guid.NewGuid():N}.db");
        var options = new DbContextOptionsBuilder<SqliteBotDbContext>()
            .UseSqlite($"Data Source={path};Pooling=false").AddInterceptors(new SqliteWriteGateInterceptor(gate)).Options;
        try
        {
            await test(gate, options);
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(file);
        }
    }

    [Theory]
    [InlineData("INSERT INTO x VALUES (1)", true)]
    [InlineData("  update x set a = 1", true)]
    [InlineData("-- tag\nDELETE FROM x", true)]
    [InlineData("/* note */ REPLACE INTO x VALUES (1)", true)]
    [InlineData("SELECT * FROM x", false)]
    [InlineData("-- UPDATE in a comment\nSELECT 1", false)]
    [InlineData("UPDATED_AT", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void HandWrittenSql_IsJudgedByItsFirstKeyword(string? sql, bool writes) =>
        Assert.Equal(writes, SqliteWriteGateInterceptor.StartsWithWrite(sql));

    [Fact]
    public async Task Usage_CountsEachTurnFromItsStartOrHandoverToItsEnd_OnTheServiceClock()
    {
        var gate = new SqliteWriteGate(_clock);
        await gate.EnterAsync(CancellationToken.None);
        var next = gate.EnterAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((TimeSpan.FromSeconds(2), 0L), gate.Usage); // the turn so far; it is counted as a turn when it ends

        gate.Exit(); // handed over: the next turn starts now, whenever its continuation runs
        _clock.Advance(TimeSpan.FromSeconds(3));
        await next;
        gate.Exit();
        _clock.Advance(TimeSpan.FromSeconds(10)); // free: nobody's turn
        await gate.EnterAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        gate.Exit();

        Assert.Equal((TimeSpan.FromSeconds(5.5), 3L), gate.Usage);
    }

    [Fact]
    public async Task StoreMetrics_ReportTheWritersHeldTimeTurnsAndWaiters()
    {
        var services = new ServiceCollection().AddMetrics().AddSingleton<TimeProvider>(_clock).AddSingleton<SqliteWriteGate>().AddSingleton<StoreMetrics>();
        await using var provider = services.BuildServiceProvider();
        var gate = provider.GetRequiredService<SqliteWriteGate>();
        var factory = provider.GetRequiredService<IMeterFactory>();
        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == StoreMetrics.MeterName && instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = instrument.Name;
            foreach (var tag in tags) key += $"[{tag.Key}={tag.Value}]";
            seen[key] = value;
        }
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        _ = provider.GetRequiredService<StoreMetrics>();

        await gate.EnterAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        gate.Exit();
        await gate.EnterAsync(CancellationToken.None);
        Task click;
        using (SqliteWriteGate.Urgent()) click = gate.EnterAsync(CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(0.25));
        listener.RecordObservableInstruments();

        Assert.Equal(1.75, seen["iotownerbot.sqlite.writer.held"]);
        Assert.Equal(1, seen["iotownerbot.sqlite.writer.turns"]);
        Assert.Equal(1, seen["iotownerbot.sqlite.writer.waiting[urgent=True]"]);
        Assert.Equal(0, seen["iotownerbot.sqlite.writer.waiting[urgent=False]"]);
        gate.Exit();
        await click;
        gate.Exit();
    }

    [Fact]
    public void ExitWithoutEnter_IsAnError() =>
        Assert.Throws<InvalidOperationException>(() => new SqliteWriteGate(_clock).Exit());
}
