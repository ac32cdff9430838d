namespace IoTOwnerBot.Jobs;

/// <summary>Wakes idle workers when new work is committed.</summary>
public sealed class WorkSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    public void Notify() => _signal.Release();
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
    public void Dispose() => _signal.Dispose();
}
