using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// Part of <c>/readyz</c>: Degraded (still ready: waiting mail goes out when the budget allows) while a sender mailbox
/// is refused by Exchange or has only its reserve left, with every sender's budget in the data.
/// </summary>
public sealed class SenderBudgetHealthCheck(SenderPool pool, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var budgets = await pool.BudgetsAsync(cancellationToken);
        var data = budgets.ToDictionary(b => b.Sender, b => (object)new Dictionary<string, object>
        {
            ["recipientsLast24h"] = b.RecipientsLast24h,
            ["recipientsLeft"] = b.Left,
            ["queued"] = b.Queued,
            ["lastBookedAt"] = b.LastBookedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "",
            ["blockedUntil"] = b.Blocked(now) ? b.BlockedUntil!.Value.ToString("O", CultureInfo.InvariantCulture) : "",
            ["blockedReason"] = b.Blocked(now) ? b.BlockedReason ?? "" : "",
        });
        var problems = budgets.Where(b => b.Blocked(now)).Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Sender} is refused by Exchange until {b.BlockedUntil:u}"))
            .Concat(budgets.Where(b => !b.Blocked(now) && b.NearlyOut).Select(b => string.Create(CultureInfo.InvariantCulture,
                $"{b.Sender} has {b.Left} of {b.RecipientsPerDay} recipients left for 24 h (only the reserve for reminders and high severity)")))
            .ToList();
        return problems.Count == 0
            ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"{budgets.Count} sender mailbox(es) within their budgets."), data)
            : HealthCheckResult.Degraded(string.Join("; ", problems) + ".", data: data);
    }
}
