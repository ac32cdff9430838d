using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Emulator.Tenant;

namespace IoTOwnerBot.Emulator.Limits;

/// <summary><c>GET /admin/limits</c>: the limits in force, how many requests they refused, and every sender mailbox's budget.</summary>
public sealed record LimitsView(ProviderLimits Limits, long Throttled, IReadOnlyList<SendingBudget> Senders)
{
    public static LimitsView Of(ProviderThrottle throttle, OutlookWorld outlook) => new(throttle.Limits, throttle.Throttled, outlook.SendingBudgets);

    /// <summary>Why a set of limits cannot be used, or null: every figure is at least 1.</summary>
    public static string? Invalid(ProviderLimits limits)
    {
        (string Name, int Value)[] figures =
        [
            ("exchange.messagesPerMinute", limits.Exchange.MessagesPerMinute),
            ("exchange.recipientsPerDay", limits.Exchange.RecipientsPerDay),
            ("exchange.recipientsPerMessage", limits.Exchange.RecipientsPerMessage),
            ("graphMailbox.concurrency", limits.GraphMailbox.Concurrency),
            ("graphMailbox.requestsPer10Minutes", limits.GraphMailbox.RequestsPer10Minutes),
            ("arm.readBucket", limits.Arm.ReadBucket),
            ("arm.readsPerSecond", limits.Arm.ReadsPerSecond),
            ("arm.writeBucket", limits.Arm.WriteBucket),
            ("arm.writesPerSecond", limits.Arm.WritesPerSecond),
            ("arm.deleteBucket", limits.Arm.DeleteBucket),
            ("arm.deletesPerSecond", limits.Arm.DeletesPerSecond),
            ("logAnalytics.requestsPer30Seconds", limits.LogAnalytics.RequestsPer30Seconds),
            ("logAnalytics.concurrency", limits.LogAnalytics.Concurrency),
            ("logAnalytics.queueSeconds", limits.LogAnalytics.QueueSeconds),
            ("teams.perConversationPerSecond", limits.Teams.PerConversationPerSecond),
            ("teams.perConversationPer2Seconds", limits.Teams.PerConversationPer2Seconds),
            ("teams.perConversationPer30Seconds", limits.Teams.PerConversationPer30Seconds),
            ("teams.perConversationPerHour", limits.Teams.PerConversationPerHour),
            ("teams.perTenantPerSecond", limits.Teams.PerTenantPerSecond),
        ];
        return figures.FirstOrDefault(f => f.Value < 1) is { Name: { } name } bad ? $"{name} must be at least 1 (it is {bad.Value})." : null;
    }
}
