namespace IoTOwnerBot.Jobs;

/// <summary>Outcome of one run of a work item.</summary>
public abstract record WorkResult
{
    public static readonly WorkResult Done = new DoneResult();
    public static WorkResult RetryAt(DateTimeOffset at, string reason) => new RetryResult(at, reason);
    public static WorkResult Fail(string reason) => new FailResult(reason);

    /// <summary>
    /// A transient failure (throttling, server trouble, a timeout, a lost connection): tried again at <paramref name="at"/>
    /// however many attempts it took, because the effect is still owed. Only a permanent answer ends it.
    /// </summary>
    public static WorkResult Later(DateTimeOffset at, string reason) => new RetryResult(at, reason) { Transient = true };

    /// <summary>
    /// Nothing was sent (a circuit breaker or rate limiter refused the call before it left): tried again at
    /// <paramref name="at"/>, and the attempt is given back.
    /// </summary>
    public static WorkResult NotSent(DateTimeOffset at, string reason) => new NotSentResult(at, reason);

    internal sealed record DoneResult : WorkResult;
    internal sealed record RetryResult(DateTimeOffset At, string Reason) : WorkResult
    {
        /// <summary>True: never given up on for the number of attempts.</summary>
        public bool Transient { get; init; }
    }
    internal sealed record NotSentResult(DateTimeOffset At, string Reason) : WorkResult;
    internal sealed record FailResult(string Reason) : WorkResult;
}
