using System.Diagnostics.Metrics;
using System.Globalization;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTOwnerBot.Jobs;

/// <summary>Told, inside the transaction that marks it failed, of a work item that failed for good.</summary>
public interface IWorkFailureObserver
{
    Task FailedAsync(WorkItem item, string reason, DateTimeOffset at, CancellationToken ct);
}

/// <summary>
/// The durable queue's metrics (meter <see cref="MeterName"/>), each tagged with the work kind:
/// <c>iotownerbot.work.failed</c> (failed for good), <c>iotownerbot.work.retried</c> (scheduled again after a failure),
/// <c>iotownerbot.work.not_sent</c> (refused before sending, attempt given back).
/// </summary>
public sealed class WorkMetrics
{
    public const string MeterName = "IoTOwnerBot.Jobs";

    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _notSent;

    public WorkMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _failed = meter.CreateCounter<long>("iotownerbot.work.failed", description: "Work items that failed for good.");
        _retried = meter.CreateCounter<long>("iotownerbot.work.retried", description: "Attempts of work items that failed and were scheduled again.");
        _notSent = meter.CreateCounter<long>("iotownerbot.work.not_sent", description: "Attempts refused before anything was sent (circuit open, limiter full); the attempt is given back.");
    }

    public void Failed(string kind) => _failed.Add(1, new KeyValuePair<string, object?>("kind", kind));
    public void Retried(string kind) => _retried.Add(1, new KeyValuePair<string, object?>("kind", kind));
    public void NotSent(string kind) => _notSent.Add(1, new KeyValuePair<string, object?>("kind", kind));
}

/// <summary>
/// Part of <c>/readyz</c>: Degraded (still ready: a restart would not bring the work back) while work items failed for
/// good within <see cref="Window"/>, with their count per kind in the data, so a monitor sees lost effects without
/// reading logs.
/// </summary>
public sealed class WorkFailuresHealthCheck(BotDbContext db, TimeProvider time) : IHealthCheck
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var since = time.GetUtcNow() - Window;
        var kinds = await db.WorkItems.AsNoTracking()
            .Where(w => w.Status == WorkStatus.Failed && w.CompletedAt >= since)
            .GroupBy(w => w.Kind)
            .Select(g => new { Kind = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var total = kinds.Sum(k => k.Count);
        var data = new Dictionary<string, object>
        {
            ["failedItems"] = total,
            ["failedKinds"] = kinds.OrderBy(k => k.Kind, StringComparer.Ordinal).ToDictionary(k => k.Kind, k => (object)k.Count),
            ["window"] = Window.ToString("c", CultureInfo.InvariantCulture),
        };
        return total == 0
            ? HealthCheckResult.Healthy("No work item failed for good.", data)
            : HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture,
                $"{total} work item(s) failed for good in the last {Window.TotalHours:0} h: {string.Join(", ", kinds.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Kind} × {k.Count}")))}."),
                data: data);
    }
}
