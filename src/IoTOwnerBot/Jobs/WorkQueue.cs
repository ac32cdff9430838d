using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using IoTOwnerBot.Persistence;

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

/// <summary>
/// The payload of one kind of durable work: a record per kind, named by <see cref="Kind"/> (stored in
/// <c>work_items.Kind</c>, so a name never changes once released). <see cref="WorkQueueExtensions.Enqueue{T}"/> takes the
/// kind from the record, and <see cref="WorkRegistration.AddWork{TWork,THandler}"/> binds it to its handler.
/// </summary>
public interface IWork
{
    static abstract string Kind { get; }
}

/// <summary>Runs one kind of work item. Must be idempotent: a crash after its side effect runs it again.</summary>
public interface IWorkHandler
{
    Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct);
}

/// <summary>Every kind of durable work the service runs, as registered: one entry per <see cref="WorkRegistration.AddWork{TWork,THandler}"/>.</summary>
public sealed record WorkKind(string Name, Type Work, Type Handler);

public static class WorkRegistration
{
    /// <summary>
    /// Work of kind <typeparamref name="TWork"/> is run by <typeparamref name="THandler"/> (scoped, one per run). A kind
    /// has one handler and a handler one kind; registering either twice is a programming error.
    /// </summary>
    public static IServiceCollection AddWork<TWork, THandler>(this IServiceCollection services)
        where TWork : IWork
        where THandler : class, IWorkHandler
    {
        var known = services.Where(d => d.ServiceType == typeof(WorkKind)).Select(d => (WorkKind)d.ImplementationInstance!).ToList();
        if (known.FirstOrDefault(k => k.Name == TWork.Kind || k.Handler == typeof(THandler)) is { } taken)
            throw new InvalidOperationException($"Work kind {TWork.Kind} ({typeof(THandler).Name}) clashes with {taken.Name} ({taken.Handler.Name}).");
        services.AddKeyedScoped<IWorkHandler, THandler>(TWork.Kind);
        services.AddSingleton(new WorkKind(TWork.Kind, typeof(TWork), typeof(THandler)));
        return services;
    }
}

/// <summary>Wakes idle workers when new work is committed.</summary>
public sealed class WorkSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    public void Notify() => _signal.Release();
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
    public void Dispose() => _signal.Dispose();
}

/// <summary>Adds durable work in the caller's unit of work; it becomes visible when the caller saves.</summary>
public static class WorkQueueExtensions
{
    /// <summary>Work of the payload's kind, done once per <paramref name="dedupeKey"/>.</summary>
    public static WorkItem Enqueue<T>(this BotDbContext db, string dedupeKey, T payload, DateTimeOffset dueAt, Guid? questionId = null,
        string? lane = null)
        where T : IWork
    {
        var item = new WorkItem
        {
            Id = Guid.NewGuid(),
            Kind = T.Kind,
            DedupeKey = dedupeKey,
            QuestionId = questionId,
            Lane = lane,
            // Left unset where the store numbers items itself.
            Sequence = db.NumbersWorkItems ? 0 : WorkSequence.Next(db.Time),
            Payload = JsonSerializer.Serialize(payload, JobJson.Options),
            Status = WorkStatus.Pending,
            DueAt = dueAt,
            CreatedAt = dueAt,
        };
        db.WorkItems.Add(item);
        return item;
    }

    public static T ReadPayload<T>(this WorkItem item) =>
        JsonSerializer.Deserialize<T>(item.Payload, JobJson.Options)
        ?? throw new InvalidOperationException($"Work item {item.Id} ({item.Kind}) has an empty payload.");

    /// <summary>True when a save failed only because the same logical work (or question) already exists.</summary>
    public static bool IsUniqueViolation(this DbUpdateException ex) => ex.InnerException switch
    {
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY; PostgreSQL's unique_violation.
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteExtendedErrorCode is 2067 or 1555,
        Npgsql.PostgresException p => p.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}

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

internal static class JobJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

/// <summary>
/// The facts a handler records about its side effect while it runs, each committed at once (outside the handler's own
/// unit of work) and only while the claim is still the caller's.
/// </summary>
public static class WorkEffects
{
    /// <summary>
    /// Records that this attempt is about to call the provider, before the call: from now on the outcome is uncertain
    /// until the provider says otherwise. False when the claim is no longer this worker's (do not call).
    /// </summary>
    public static async Task<bool> BeginEffectAsync(this BotDbContext db, WorkItem item, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        var updated = await db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.EffectStartedAt, now), ct);
        if (updated == 1) item.EffectStartedAt = now;
        return updated == 1;
    }

    /// <summary>
    /// Puts back what was known before this attempt, when the provider refused the call outright (e.g. 429): this
    /// attempt reached nothing, so only an earlier attempt's uncertainty remains.
    /// </summary>
    public static async Task RestoreEffectAsync(this BotDbContext db, WorkItem item, DateTimeOffset? before, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        var updated = await db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.EffectStartedAt, before), ct);
        if (updated == 1) item.EffectStartedAt = before;
    }

    /// <summary>
    /// Stores the text of the effect the first time one is decided, and returns the text to use: the stored one when an
    /// earlier attempt already decided it. Null when the claim is no longer this worker's.
    /// </summary>
    public static async Task<string?> DecideEffectTextAsync(this BotDbContext db, WorkItem item, string text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        if (item.EffectText is { } decided) return decided;
        var updated = await db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending && w.EffectText == null)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.EffectText, text), ct);
        if (updated == 1) return item.EffectText = text;
        return item.EffectText = await db.WorkItems.AsNoTracking().Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner)
            .Select(w => w.EffectText).SingleOrDefaultAsync(ct);
    }

    /// <summary>Replaces the stored text: the effect was not written after all and a new text is decided for it.</summary>
    public static async Task<bool> RedecideEffectTextAsync(this BotDbContext db, WorkItem item, string text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        var updated = await db.WorkItems.Where(w => w.Id == item.Id && w.LeaseOwner == item.LeaseOwner && w.Status == WorkStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.EffectText, text), ct);
        if (updated == 1) item.EffectText = text;
        return updated == 1;
    }
}
