using IoTOwnerBot.Persistence;

namespace IoTOwnerBot.Jobs;

/// <summary>
/// Requests a person is waiting on right now: an owner's click, a Teams activity, a SOC analyst's action. While any is
/// in flight, background work steps aside: the SQLite writer is theirs first (<see cref="SqliteWriteGate"/>), and every
/// worker of the dispatcher but the first waits before it claims more work, until nobody waits or
/// <see cref="JobOptions.YieldToPeople"/> has passed. So a storm's background work does not take the CPU and the store
/// from a click that Outlook gives a few seconds, and the first worker keeps background work moving meanwhile.
/// </summary>
public sealed class PeopleWaiting(TimeProvider time)
{
    private readonly Lock _lock = new();
    private int _active;
    private TaskCompletionSource? _quiet;

    /// <summary>Requests a person is waiting on now.</summary>
    public int Active
    {
        get
        {
            lock (_lock) return _active;
        }
    }

    /// <summary>A request a person waits on has started; disposing the result ends it.</summary>
    public IDisposable Enter()
    {
        lock (_lock) _active++;
        return new Leave(this);
    }

    /// <summary>Returns when no request a person waits on is in flight, or after <paramref name="atMost"/> (on the service's clock).</summary>
    public async Task WhenQuietAsync(TimeSpan atMost, CancellationToken ct)
    {
        if (atMost <= TimeSpan.Zero) return;
        Task quiet;
        lock (_lock)
        {
            if (_active == 0) return;
            quiet = (_quiet ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        try
        {
            await quiet.WaitAsync(atMost, time, ct);
        }
        catch (TimeoutException)
        {
            // Waited long enough: background work must not stop while people keep clicking.
        }
    }

    /// <summary>
    /// Marks the endpoints' requests as ones a person waits on (<see cref="Enter"/>, and their SQLite writes go first).
    /// Background work and storm traffic (incident intake) are not marked.
    /// </summary>
    public static TBuilder On<TBuilder>(TBuilder endpoints) where TBuilder : IEndpointConventionBuilder =>
        endpoints.AddEndpointFilter(static async (context, next) =>
        {
            using (context.HttpContext.RequestServices.GetRequiredService<PeopleWaiting>().Enter())
            using (SqliteWriteGate.Urgent())
                return await next(context);
        });

    private void Exit()
    {
        TaskCompletionSource? quiet = null;
        lock (_lock)
        {
            if (--_active == 0) (quiet, _quiet) = (_quiet, null);
        }
        quiet?.TrySetResult();
    }

    private sealed class Leave(PeopleWaiting owner) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0) owner.Exit();
        }
    }
}
