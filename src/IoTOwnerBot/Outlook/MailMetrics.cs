using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// The sender mailboxes' budgets as metrics (meter <see cref="MeterName"/>), tagged by sender: messages submitted,
/// how long each message waited for its slot, and the recipients left of the 24 h budget as of the last booking.
/// </summary>
public sealed class MailMetrics
{
    public const string MeterName = "IoTOwnerBot.Mail";

    private readonly Counter<long> _submitted;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _wait;
    private readonly ConcurrentDictionary<string, int> _left = new(StringComparer.Ordinal);

    public MailMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _submitted = meter.CreateCounter<long>("iotownerbot.mail.submitted", description: "Messages submitted to Exchange, per sender mailbox.");
        _refused = meter.CreateCounter<long>("iotownerbot.mail.sender_refused", description: "Submissions Exchange refused for the sender's quota.");
        _wait = meter.CreateHistogram<double>("iotownerbot.mail.slot_wait", unit: "s", description: "How long a message was booked after it was ready, per sender mailbox.");
        meter.CreateObservableGauge("iotownerbot.mail.recipients_left", () =>
            _left.Select(kv => new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("sender", kv.Key))),
            description: "Recipients left of the sender mailbox's 24 h budget, as of its last booking.");
    }

    public void Booked(string sender, TimeSpan wait, int recipientsLeft)
    {
        _wait.Record(Math.Max(0, wait.TotalSeconds), new KeyValuePair<string, object?>("sender", sender));
        _left[sender] = recipientsLeft;
    }

    public void Submitted(string sender) => _submitted.Add(1, new KeyValuePair<string, object?>("sender", sender));

    public void Refused(string sender) => _refused.Add(1, new KeyValuePair<string, object?>("sender", sender));
}
