using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Jobs;

/// <summary>
/// Wakes idle workers when new work is committed. A wake-up that finds every worker busy is kept for the next idle
/// one, but never more of them than there are workers: a storm that notifies thousands of times while the workers
/// are busy must not leave thousands of wake-ups behind, each an empty claim against the store.
/// </summary>
public sealed class WorkSignal(IOptions<JobOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly int _most = Math.Max(1, options.Value.Concurrency);

    /// <summary>Wake-ups kept for workers not waiting yet.</summary>
    public int Pending => _signal.CurrentCount;

    public void Notify()
    {
        // Two racing callers may both release past the cap by one; a wake-up is never lost, which is what matters.
        if (_signal.CurrentCount < _most) _signal.Release();
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);

    public void Dispose() => _signal.Dispose();
}
