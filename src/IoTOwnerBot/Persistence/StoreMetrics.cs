using System.Diagnostics.Metrics;

namespace IoTOwnerBot.Persistence;

/// <summary>
/// The SQLite store's one writer as metrics (meter <see cref="MeterName"/>): <c>iotownerbot.sqlite.writer.held</c>
/// (seconds it has been held, the current turn so far included), <c>iotownerbot.sqlite.writer.turns</c> (turns ended) and
/// <c>iotownerbot.sqlite.writer.waiting</c> (writers queued now, tagged <c>urgent</c> for a person's request). The held
/// seconds' rate is the writer's share of the time: near 1, answers queue for it and the deployment wants PostgreSQL.
/// </summary>
public sealed class StoreMetrics
{
    public const string MeterName = "IoTOwnerBot.Store";

    public StoreMetrics(IMeterFactory meters, SqliteWriteGate gate)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(gate);
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("iotownerbot.sqlite.writer.held", () => gate.Usage.Held.TotalSeconds, unit: "s",
            description: "Time the SQLite store's one writer has been held.");
        meter.CreateObservableCounter("iotownerbot.sqlite.writer.turns", () => gate.Usage.Turns,
            description: "Turns of the SQLite store's one writer (a transaction, or a write outside one).");
        meter.CreateObservableUpDownCounter("iotownerbot.sqlite.writer.waiting", () =>
        {
            var (urgent, background) = gate.Waiting;
            return new[]
            {
                new Measurement<int>(urgent, new KeyValuePair<string, object?>("urgent", true)),
                new Measurement<int>(background, new KeyValuePair<string, object?>("urgent", false)),
            };
        }, description: "Writers waiting for the SQLite store's one writer now.");
    }
}
