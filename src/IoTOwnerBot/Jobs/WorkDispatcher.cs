using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Jobs;

/// <summary>
/// Runs due work items. Claiming is one conditional UPDATE (status pending, due, lease free), so any
/// number of workers and instances share one queue without running an item twice at the same time.
/// What a failure means is decided by <see cref="DurableRetry"/>: a call that was never sent gives its attempt back, a
/// transient failure is retried (at the service's Retry-After, or with exponential backoff and jitter) until it
/// succeeds, and only a permanent answer, or a defect past its attempts, fails the item. A failed item is never only a
/// log line: it goes to the question's timeline (<see cref="IWorkFailureObserver"/>), the <c>iotownerbot.work.failed</c>
/// metric and <c>/readyz</c>.
/// </summary>
public sealed partial class WorkDispatcher(
    IServiceScopeFactory scopes,
    WorkSignal signal,
    PeopleWaiting people,
    RetryBackoff backoff,
    TimeProvider time,
    IOptions<JobOptions> options,
    WorkMetrics metrics,
    ILogger<WorkDispatcher> logger) : BackgroundService
{
    private readonly string _workerId = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly JobOptions _options = options.Value;

    /// <summary>Raised after every attempt, whatever its outcome (metrics and tests listen).</summary>
    public event Action<WorkItem, WorkResult>? Attempted;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => !_options.RunWorkers ? Task.CompletedTask :
        Task.WhenAll(Enumerable.Range(0, _options.Concurrency).Select(i => WorkerLoopAsync(i, stoppingToken)));

    private async Task WorkerLoopAsync(int worker, CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // One worker always runs; the others step aside while a person waits on a request.
                if (worker > 0) await people.WhenQuietAsync(_options.YieldToPeople, ct);
                if (await RunOneAsync(ct)) continue;
                await signal.WaitAsync(_options.PollInterval, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.WorkerError(logger, worker, ex);
                await Task.Delay(_options.PollInterval, time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Claims and runs one due item; false when none was due.</summary>
    public async Task<bool> RunOneAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BotDbContext>();
        var item = await ClaimAsync(db, ct);
        if (item is null) return false;

        var handler = scope.ServiceProvider.GetKeyedService<IWorkHandler>(item.Kind);
        WorkResult result;
        using (logger.BeginScope(new Dictionary<string, object?> { ["WorkItemId"] = item.Id, ["WorkKind"] = item.Kind, ["QuestionId"] = item.QuestionId }))
        {
            if (handler is null)
            {
                result = WorkResult.Fail($"No handler for work kind '{item.Kind}'.");
            }
            else
            {
                using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var renewing = RenewLeaseAsync(item.Id, item.LeaseOwner!, heartbeat.Token);
                try
                {
                    result = await handler.RunAsync(item, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Shutting down: hand the item back at once rather than holding it until the lease runs out.
                    await heartbeat.CancelAsync();
                    await renewing;
                    await ReleaseAsync(db, item.Id, item.LeaseOwner!);
                    throw;
                }
                catch (Exception ex)
                {
                    Log.AttemptFailed(logger, item.Kind, item.Attempts, ex.Message);
                    result = DurableRetry.Classify(ex, time.GetUtcNow(), backoff.Delay, item.Attempts)
                             ?? WorkResult.RetryAt(backoff.Next(item.Attempts), $"{ex.GetType().Name}: {ex.Message}");
                }
                await heartbeat.CancelAsync();
                await renewing;
            }
            await CompleteAsync(db, item, result, ct);
        }
        Attempted?.Invoke(item, result);
        return true;
    }

    private async Task<WorkItem?> ClaimAsync(BotDbContext db, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var candidates = await db.WorkItems.AsNoTracking()
            .Where(w => w.Status == WorkStatus.Pending && w.DueAt <= now && (w.LeaseUntil == null || w.LeaseUntil <= now))
            // In a lane, only the first pending item may run.
            .Where(w => w.Lane == null || !db.WorkItems.Any(o => o.Lane == w.Lane && o.Status == WorkStatus.Pending && o.Sequence < w.Sequence))
            .OrderBy(w => w.DueAt)
            .Select(w => w.Id)
            .Take(8)
            .ToListAsync(ct);
        foreach (var id in candidates)
        {
            var leaseUntil = now + _options.Lease;
            // Each claim has its own owner token: a worker whose lease ran out (it was too slow, not dead) can neither
            // renew nor complete the claim of the worker that took the item over.
            var owner = $"{_workerId}/{Guid.NewGuid():N}";
            var claimed = await db.WorkItems
                .Where(w => w.Id == id && w.Status == WorkStatus.Pending && (w.LeaseUntil == null || w.LeaseUntil <= now))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(w => w.LeaseOwner, owner)
                    .SetProperty(w => w.LeaseUntil, leaseUntil)
                    .SetProperty(w => w.Attempts, w => w.Attempts + 1), ct);
            if (claimed == 1)
                return await db.WorkItems.AsNoTracking().SingleAsync(w => w.Id == id, ct);
        }
        return null;
    }

    /// <summary>Keeps a long-running item's lease alive, so a short lease only ever expires for a dead worker.</summary>
    private async Task RenewLeaseAsync(Guid id, string owner, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.Lease / 3, time, ct);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BotDbContext>();
                var until = time.GetUtcNow() + _options.Lease;
                await db.WorkItems.Where(w => w.Id == id && w.LeaseOwner == owner)
                    .ExecuteUpdateAsync(s => s.SetProperty(w => w.LeaseUntil, until), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the run ended
        }
    }

    private static async Task ReleaseAsync(BotDbContext db, Guid id, string owner)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await db.WorkItems.Where(w => w.Id == id && w.LeaseOwner == owner && w.Status == WorkStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(w => w.LeaseOwner, (string?)null)
                .SetProperty(w => w.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(w => w.Attempts, w => w.Attempts - 1), timeout.Token);
    }

    private async Task CompleteAsync(BotDbContext db, WorkItem item, WorkResult result, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var mine = db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending);
        switch (result)
        {
            case WorkResult.DoneResult:
                await mine.ExecuteUpdateAsync(s => s
                    .SetProperty(w => w.Status, WorkStatus.Succeeded)
                    .SetProperty(w => w.CompletedAt, now)
                    .SetProperty(w => w.LeaseOwner, (string?)null)
                    .SetProperty(w => w.LeaseUntil, (DateTimeOffset?)null), ct);
                break;
            case WorkResult.NotSentResult notSent:
                // Nothing left the process: the attempt is given back, so a breaker that stays open never exhausts an item.
                metrics.NotSent(item.Kind);
                var resend = notSent.At > now ? notSent.At : now;
                await mine.ExecuteUpdateAsync(s => s
                    .SetProperty(w => w.DueAt, resend)
                    .SetProperty(w => w.Attempts, w => w.Attempts - 1)
                    .SetProperty(w => w.LastError, Truncate(notSent.Reason))
                    .SetProperty(w => w.LeaseOwner, (string?)null)
                    .SetProperty(w => w.LeaseUntil, (DateTimeOffset?)null), ct);
                break;
            case WorkResult.RetryResult retry when retry.Transient || item.Attempts < _options.MaxAttempts:
                metrics.Retried(item.Kind);
                var due = retry.At > now ? retry.At : now;
                await mine.ExecuteUpdateAsync(s => s
                    .SetProperty(w => w.DueAt, due)
                    .SetProperty(w => w.LastError, Truncate(retry.Reason))
                    .SetProperty(w => w.LeaseOwner, (string?)null)
                    .SetProperty(w => w.LeaseUntil, (DateTimeOffset?)null), ct);
                break;
            case WorkResult.RetryResult retry:
                await FailAsync(item, retry.Reason, now, ct);
                break;
            case WorkResult.FailResult fail:
                await FailAsync(item, fail.Reason, now, ct);
                break;
        }
    }

    /// <summary>
    /// Marks the item failed and, in the same transaction, tells the observers (the question's timeline), so a crash
    /// cannot leave a failed item that nobody was told of. Then the metric and the log.
    /// </summary>
    private async Task FailAsync(WorkItem item, string reason, DateTimeOffset now, CancellationToken ct)
    {
        // A fresh scope: whatever the handler left tracked in its own context must not be saved with the failure.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BotDbContext>();
        var observers = scope.ServiceProvider.GetServices<IWorkFailureObserver>().ToList();
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var rows = await db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(w => w.Status, WorkStatus.Failed)
                    .SetProperty(w => w.LastError, Truncate(reason))
                    .SetProperty(w => w.CompletedAt, now)
                    .SetProperty(w => w.LeaseOwner, (string?)null)
                    .SetProperty(w => w.LeaseUntil, (DateTimeOffset?)null), ct);
            // Someone else's claim now (this worker's lease ran out): theirs to finish.
            if (rows != 1) return;
            foreach (var observer in observers) await observer.FailedAsync(item, reason, now, ct);
            await transaction.CommitAsync(ct);
        }
        metrics.Failed(item.Kind);
        Log.GaveUp(logger, item.Kind, item.Attempts, reason);
    }

    private static string Truncate(string s) => s.Length <= 2000 ? s : s[..2000];

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Work item {Kind} attempt {Attempt} failed: {Error}")]
        public static partial void AttemptFailed(ILogger logger, string kind, int attempt, string error);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "Work item {Kind} failed for good after {Attempts} attempts: {Reason}")]
        public static partial void GaveUp(ILogger logger, string kind, int attempts, string reason);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Error, Message = "Worker {Worker} hit an unexpected error")]
        public static partial void WorkerError(ILogger logger, int worker, Exception ex);
    }
}
