using System.Globalization;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTOwnerBot.Jobs;

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
