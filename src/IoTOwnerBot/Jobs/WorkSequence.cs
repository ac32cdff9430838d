namespace IoTOwnerBot.Jobs;

/// <summary>Increasing numbers for ordering work within a lane: the service clock's ticks, never repeating within a process.</summary>
internal static class WorkSequence
{
    private static long _last;

    public static long Next(TimeProvider time)
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(last + 1, time.GetUtcNow().UtcTicks);
            if (Interlocked.CompareExchange(ref _last, next, last) == last) return next;
        }
    }
}
