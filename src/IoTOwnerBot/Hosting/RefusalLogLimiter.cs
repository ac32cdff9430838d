namespace IoTOwnerBot.Hosting;

/// <summary>
/// Keeps refusals that anyone can provoke (a forged button, a click from another channel) from flooding the log: at
/// most <see cref="PerMinute"/> warnings a minute per kind; the next warning after a quiet spell says how many were
/// left out.
/// </summary>
public sealed class RefusalLogLimiter(TimeProvider time)
{
    public const int PerMinute = 20;

    private readonly Dictionary<string, (DateTimeOffset WindowStart, int Logged, int Suppressed)> _windows = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>True when this refusal may be logged; <paramref name="suppressed"/> counts those left out before it.</summary>
    public bool ShouldLog(string kind, out int suppressed)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var (start, logged, left) = _windows.TryGetValue(kind, out var w) ? w : (now, 0, 0);
            if (now - start >= TimeSpan.FromMinutes(1)) (start, logged) = (now, 0);
            if (logged >= PerMinute)
            {
                _windows[kind] = (start, logged, left + 1);
                suppressed = 0;
                return false;
            }
            _windows[kind] = (start, logged + 1, 0);
            suppressed = left;
            return true;
        }
    }
}
