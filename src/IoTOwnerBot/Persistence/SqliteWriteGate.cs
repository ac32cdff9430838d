namespace IoTOwnerBot.Persistence;

/// <summary>
/// The one writer of a SQLite store, taken in turn inside the process. SQLite lets one connection write at a time; a
/// writer that finds the file locked is retried by the provider with a blocking sleep (150 ms a try, holding a
/// thread-pool thread), which is what made a click wait behind background work. Here writers wait asynchronously in
/// two queues instead, and an urgent writer (a person waiting: <c>Jobs.PeopleWaiting.On</c>) goes before every background one.
/// The lock is handed to the next waiter when released, so nobody barges in between. Another process on the same file
/// is still met by SQLite's own lock.
/// </summary>
public sealed class SqliteWriteGate(TimeProvider time)
{
    /// <summary>As long as the provider's own wait for the lock (its command timeout) before a writer is refused.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private static readonly AsyncLocal<bool> UrgentFlow = new();

    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _urgent = new();
    private readonly Queue<TaskCompletionSource> _background = new();
    private bool _held;
    private long _heldSince;
    private long _heldTicks;
    private long _turns;

    /// <summary>Whether a writer holds the gate now.</summary>
    public bool IsHeld
    {
        get
        {
            lock (_lock) return _held;
        }
    }

    /// <summary>
    /// How long the writer has been held in all, the current turn so far included (on the service's clock), and how many
    /// turns ended: the share of time the store's one writer is busy, which is what bounds a SQLite deployment's answers
    /// a second.
    /// </summary>
    public (TimeSpan Held, long Turns) Usage
    {
        get
        {
            lock (_lock)
            {
                var current = _held ? time.GetElapsedTime(_heldSince).Ticks : 0;
                return (TimeSpan.FromTicks(_heldTicks + current), _turns);
            }
        }
    }

    /// <summary>Writers waiting now (urgent, background).</summary>
    public (int Urgent, int Background) Waiting
    {
        get
        {
            lock (_lock) return (_urgent.Count(w => !w.Task.IsCompleted), _background.Count(w => !w.Task.IsCompleted));
        }
    }

    /// <summary>Marks the current flow (a click being answered) as urgent until disposed: its writes go first.</summary>
    public static IDisposable Urgent()
    {
        var before = UrgentFlow.Value;
        UrgentFlow.Value = true;
        return new Restore(before);
    }

    /// <summary>Waits for the gate; <see cref="TimeoutException"/> after <see cref="MaxWait"/>, as SQLite's own wait would end.</summary>
    public async Task EnterAsync(CancellationToken ct)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                _heldSince = time.GetTimestamp();
                return;
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (UrgentFlow.Value ? _urgent : _background).Enqueue(waiter);
        }

        using var timeout = new CancellationTokenSource(MaxWait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        // A waiter that gives up is cancelled in place; handing over skips it. If the gate was handed over first, the
        // cancellation loses and the caller holds the gate.
        await using (linked.Token.UnsafeRegister(static w => ((TaskCompletionSource)w!).TrySetCanceled(), waiter))
        {
            try
            {
                await waiter.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"The SQLite store's writer was busy for {MaxWait.TotalSeconds:0} s.");
            }
        }
    }

    /// <summary>Waits for the gate on a synchronous path.</summary>
    public void Enter() => EnterAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Hands the gate to the next waiter (urgent first), or frees it.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            if (!_held) throw new InvalidOperationException("The SQLite write gate is not held.");
            var now = time.GetTimestamp();
            _heldTicks += time.GetElapsedTime(_heldSince, now).Ticks;
            _turns++;
            // The next holder's turn starts at the handover, not when its continuation gets a thread: the writer is
            // theirs (and idle) meanwhile.
            _heldSince = now;
            while (_urgent.TryDequeue(out var next) || _background.TryDequeue(out next))
                if (next.TrySetResult()) return;
            _held = false;
        }
    }

    private sealed class Restore(bool before) : IDisposable
    {
        public void Dispose() => UrgentFlow.Value = before;
    }
}
