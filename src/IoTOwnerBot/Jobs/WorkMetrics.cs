using System.Diagnostics.Metrics;

namespace IoTOwnerBot.Jobs;

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
