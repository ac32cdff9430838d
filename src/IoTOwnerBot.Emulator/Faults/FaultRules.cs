using IoTOwnerBot.Emulator.Hosting;

namespace IoTOwnerBot.Emulator.Faults;

/// <summary>
/// The injected fault rules, in the order they were added, with how often each still fires. Thread-safe; getters
/// return snapshots.
/// </summary>
public sealed class FaultRules : IResettable
{
    private readonly Lock _gate = new();
    private readonly List<FaultEntry> _rules = [];
    private int _faultId;

    public FaultRule Add(FaultSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_gate)
        {
            var entry = new FaultEntry($"fault-{++_faultId}", spec) { Remaining = spec.Times };
            _rules.Add(entry);
            return entry.Snapshot();
        }
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return [.. _rules.Select(f => f.Snapshot())];
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    /// <summary>Back to no faults (rule ids go on).</summary>
    public void Reset() => Clear();

    /// <summary>Consumes one firing of the first matching rule that has firings left.</summary>
    internal FaultRule? Take(HttpRequest request)
    {
        lock (_gate)
        {
            var rule = _rules.FirstOrDefault(f => f.Remaining > 0 && f.Spec.Matches(request)
                                                  && (f.Spec.Probability is not { } p || Random.Shared.NextDouble() < p));
            if (rule is null)
            {
                return null;
            }
            rule.Remaining--;
            rule.Hits++;
            return rule.Snapshot();
        }
    }

    private sealed class FaultEntry(string id, FaultSpec spec)
    {
        public string Id { get; } = id;
        public FaultSpec Spec { get; } = spec;
        public int Remaining { get; set; }
        public int Hits { get; set; }

        public FaultRule Snapshot() => new(Id, Spec, Remaining, Hits);
    }
}
