using IoTOwnerBot.Emulator.Hosting;

namespace IoTOwnerBot.Emulator.Limits;

/// <summary>
/// The rate and concurrency state behind <see cref="ProviderLimits"/> for Graph mailboxes, ARM, Log Analytics and the
/// Bot Connector (Exchange's sending limits live with the mailboxes, in <see cref="Outlook.OutlookWorld"/>). Every
/// window is read against the emulator's clock, so a test moves it with a fake time provider.
/// </summary>
public sealed class ProviderThrottle(TimeProvider time) : IResettable
{
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _mailboxInFlight = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SlidingWindow> _mailboxRequests = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, TokenBucket> _arm = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SlidingWindow> _logAnalytics = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SemaphoreSlim> _logAnalyticsSlots = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SlidingWindow[]> _conversations = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SlidingWindow> _tenants = new(StringComparer.OrdinalIgnoreCase);
    private ProviderLimits _limits = new();
    private long _throttled;

    public ProviderLimits Limits
    {
        get { lock (_gate) return _limits; }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_gate)
            {
                _limits = value;
                ClearUnlocked();
            }
        }
    }

    /// <summary>Requests refused (429) by a limit since the last reset.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Back to Microsoft's limits with nothing spent.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _limits = new ProviderLimits();
            ClearUnlocked();
        }
    }

    /// <summary>
    /// A request of <paramref name="app"/> to <paramref name="mailbox"/>'s Outlook data: refused when four are already
    /// running or the ten-minute budget is spent; otherwise a lease that frees its slot when disposed.
    /// </summary>
    internal Admission EnterMailbox(string app, string mailbox)
    {
        lock (_gate)
        {
            var limits = _limits.GraphMailbox;
            if (!limits.Enabled) return Admission.Free;
            var key = $"{app}|{mailbox}";
            var now = time.GetUtcNow();
            var running = _mailboxInFlight.GetValueOrDefault(key);
            if (running >= limits.Concurrency)
            {
                return Refuse(1, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.");
            }
            var window = Window(_mailboxRequests, key, TenMinutes);
            if (!window.TryAdd(now, 1, limits.RequestsPer10Minutes))
            {
                return Refuse(Seconds(window.FitsAt(now, 1, limits.RequestsPer10Minutes) - now), "ApplicationThrottled",
                    "Application is over its MailboxRequests limit.");
            }
            _mailboxInFlight[key] = running + 1;
            return Admission.Lease(() =>
            {
                lock (_gate)
                {
                    if (_mailboxInFlight.TryGetValue(key, out var n)) _mailboxInFlight[key] = Math.Max(0, n - 1);
                }
            });
        }
    }

    /// <summary>One ARM request: a token from the bucket of its subscription, principal and operation type.</summary>
    internal ArmAdmission TakeArm(string subscription, string principal, string method)
    {
        lock (_gate)
        {
            var limits = _limits.Arm;
            var (kind, capacity, perSecond) = method.ToUpperInvariant() switch
            {
                "GET" or "HEAD" => ("reads", limits.ReadBucket, limits.ReadsPerSecond),
                "DELETE" => ("deletes", limits.DeleteBucket, limits.DeletesPerSecond),
                _ => ("writes", limits.WriteBucket, limits.WritesPerSecond),
            };
            var header = $"x-ms-ratelimit-remaining-subscription-{kind}";
            if (!limits.Enabled) return new ArmAdmission(true, header, capacity, 0);
            var now = time.GetUtcNow();
            var key = $"{subscription}|{principal}|{kind}";
            if (!_arm.TryGetValue(key, out var bucket))
            {
                bucket = new TokenBucket(capacity, perSecond, now);
                _arm[key] = bucket;
            }
            if (bucket.TryTake(now)) return new ArmAdmission(true, header, bucket.Remaining(now), 0);
            Interlocked.Increment(ref _throttled);
            return new ArmAdmission(false, header, 0, bucket.SecondsUntilToken(now));
        }
    }

    /// <summary>
    /// One Log Analytics query: refused past the 30-second budget; over the concurrency limit it waits for a slot up to
    /// <see cref="LogAnalyticsLimits.QueueSeconds"/>, then fails.
    /// </summary>
    internal async Task<Admission> EnterLogAnalyticsAsync(string principal, CancellationToken ct)
    {
        SemaphoreSlim slots;
        int queueSeconds;
        lock (_gate)
        {
            var limits = _limits.LogAnalytics;
            if (!limits.Enabled) return Admission.Free;
            var now = time.GetUtcNow();
            var window = Window(_logAnalytics, principal, TimeSpan.FromSeconds(30));
            if (!window.TryAdd(now, 1, limits.RequestsPer30Seconds))
            {
                return Refuse(Seconds(window.FitsAt(now, 1, limits.RequestsPer30Seconds) - now), "ThrottledError",
                    "Your request was throttled: the workspace's query rate limit (requests per 30 seconds) was exceeded.");
            }
            if (!_logAnalyticsSlots.TryGetValue(principal, out slots!))
            {
                slots = new SemaphoreSlim(limits.Concurrency, limits.Concurrency);
                _logAnalyticsSlots[principal] = slots;
            }
            queueSeconds = limits.QueueSeconds;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(queueSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await slots.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Refuse(1, "ThrottledError", "Your request was throttled: too many concurrent queries, and none finished in time.");
        }
        return Admission.Lease(() => slots.Release());
    }

    /// <summary>
    /// One Bot Connector request of <paramref name="app"/> in <paramref name="tenant"/>; a send to a conversation also
    /// counts against that conversation's windows.
    /// </summary>
    internal Admission TakeTeams(string app, string tenant, string? conversation)
    {
        lock (_gate)
        {
            var limits = _limits.Teams;
            if (!limits.Enabled) return Admission.Free;
            var now = time.GetUtcNow();
            var tenantWindow = Window(_tenants, $"{app}|{tenant}", TimeSpan.FromSeconds(1));
            if (tenantWindow.Used(now) + 1 > limits.PerTenantPerSecond)
            {
                return Refuse(Seconds(tenantWindow.FitsAt(now, 1, limits.PerTenantPerSecond) - now), "TooManyRequests",
                    "The bot is sending too many requests in this tenant. Retry after the interval in the Retry-After header.");
            }
            if (conversation is not null)
            {
                var key = $"{app}|{conversation}";
                if (!_conversations.TryGetValue(key, out var windows))
                {
                    windows = [new(TimeSpan.FromSeconds(1)), new(TimeSpan.FromSeconds(2)), new(TimeSpan.FromSeconds(30)), new(TimeSpan.FromHours(1))];
                    _conversations[key] = windows;
                }
                int[] caps = [limits.PerConversationPerSecond, limits.PerConversationPer2Seconds, limits.PerConversationPer30Seconds, limits.PerConversationPerHour];
                var fits = now;
                for (var i = 0; i < windows.Length; i++)
                {
                    var at = windows[i].FitsAt(now, 1, caps[i]);
                    if (at > fits) fits = at;
                }
                if (fits > now)
                {
                    return Refuse(Seconds(fits - now), "TooManyRequests",
                        "The bot is sending too many messages to this conversation. Retry after the interval in the Retry-After header.");
                }
                for (var i = 0; i < windows.Length; i++) windows[i].TryAdd(now, 1, caps[i]);
            }
            tenantWindow.TryAdd(now, 1, limits.PerTenantPerSecond);
            return Admission.Free;
        }
    }

    private Admission Refuse(int retryAfterSeconds, string code, string message)
    {
        Interlocked.Increment(ref _throttled);
        return Admission.Refused(retryAfterSeconds, code, message);
    }

    private static SlidingWindow Window(Dictionary<string, SlidingWindow> windows, string key, TimeSpan length)
    {
        if (!windows.TryGetValue(key, out var window))
        {
            window = new SlidingWindow(length);
            windows[key] = window;
        }
        return window;
    }

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    private void ClearUnlocked()
    {
        _mailboxInFlight.Clear();
        _mailboxRequests.Clear();
        _arm.Clear();
        _logAnalytics.Clear();
        _logAnalyticsSlots.Clear();
        _conversations.Clear();
        _tenants.Clear();
        Interlocked.Exchange(ref _throttled, 0);
    }
}

/// <summary>Whether a request may go on; a lease to dispose when it is done, or the 429 to answer.</summary>
internal sealed class Admission : IDisposable
{
    private Action? _release;

    private Admission(bool allowed, Action? release, int retryAfter, string? code, string? message)
    {
        Allowed = allowed;
        _release = release;
        RetryAfterSeconds = retryAfter;
        Code = code;
        Message = message;
    }

    public static Admission Free { get; } = new(true, null, 0, null, null);

    public bool Allowed { get; }
    public int RetryAfterSeconds { get; }
    public string? Code { get; }
    public string? Message { get; }

    public static Admission Lease(Action release) => new(true, release, 0, null, null);
    public static Admission Refused(int retryAfter, string code, string message) => new(false, null, retryAfter, code, message);

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}

/// <summary>An ARM bucket's answer: allowed or not, the header that reports the budget left, and when to retry.</summary>
internal sealed record ArmAdmission(bool Allowed, string Header, int Remaining, int RetryAfterSeconds);
