namespace IoTOwnerBot.Emulator.Limits;

/// <summary>
/// What happened in the last <see cref="Length"/>: weighted events in time order. Not thread-safe; its owner locks.
/// </summary>
internal sealed class SlidingWindow(TimeSpan length)
{
    private readonly Queue<(DateTimeOffset At, int Weight)> _events = new();
    private long _total;

    public TimeSpan Length { get; } = length;

    /// <summary>The weight of the events in <c>(now - Length, now]</c>.</summary>
    public long Used(DateTimeOffset now)
    {
        Expire(now);
        return _total;
    }

    /// <summary>Whether <paramref name="weight"/> more fits under <paramref name="limit"/>; if it does, it is counted.</summary>
    public bool TryAdd(DateTimeOffset now, int weight, long limit)
    {
        if (Used(now) + weight > limit) return false;
        _events.Enqueue((now, weight));
        _total += weight;
        return true;
    }

    /// <summary>When enough of the window has expired for <paramref name="weight"/> more to fit under <paramref name="limit"/>.</summary>
    public DateTimeOffset FitsAt(DateTimeOffset now, int weight, long limit)
    {
        var excess = Used(now) + weight - limit;
        if (excess <= 0) return now;
        foreach (var (at, w) in _events)
        {
            excess -= w;
            if (excess <= 0) return at + Length;
        }
        return now + Length;
    }

    private void Expire(DateTimeOffset now)
    {
        while (_events.TryPeek(out var e) && e.At <= now - Length)
        {
            _events.Dequeue();
            _total -= e.Weight;
        }
    }
}

/// <summary>A token bucket read against a clock: full at first, refilled continuously. Not thread-safe; its owner locks.</summary>
internal sealed class TokenBucket(int capacity, double perSecond, DateTimeOffset now)
{
    private double _tokens = capacity;
    private DateTimeOffset _at = now;

    public int Capacity { get; } = capacity;

    public int Remaining(DateTimeOffset now)
    {
        Refill(now);
        return (int)Math.Floor(_tokens);
    }

    public bool TryTake(DateTimeOffset now)
    {
        Refill(now);
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    /// <summary>Whole seconds until one token is back (at least 1).</summary>
    public int SecondsUntilToken(DateTimeOffset now)
    {
        Refill(now);
        return Math.Max(1, (int)Math.Ceiling((1 - _tokens) / perSecond));
    }

    private void Refill(DateTimeOffset now)
    {
        if (now <= _at) return;
        _tokens = Math.Min(Capacity, _tokens + (now - _at).TotalSeconds * perSecond);
        _at = now;
    }
}
