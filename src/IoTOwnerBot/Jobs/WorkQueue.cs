using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using IoTOwnerBot.Persistence;

namespace IoTOwnerBot.Jobs;

/// <summary>Outcome of one run of a work item.</summary>
public abstract record WorkResult
{
    public static readonly WorkResult Done = new DoneResult();
    public static WorkResult RetryAt(DateTimeOffset at, string reason) => new RetryResult(at, reason);
    public static WorkResult Fail(string reason) => new FailResult(reason);

    internal sealed record DoneResult : WorkResult;
    internal sealed record RetryResult(DateTimeOffset At, string Reason) : WorkResult;
    internal sealed record FailResult(string Reason) : WorkResult;
}

/// <summary>Runs one kind of work item. Must be idempotent: a crash after its side effect runs it again.</summary>
public interface IWorkHandler
{
    string Kind { get; }
    Task<WorkResult> RunAsync(WorkItem item, CancellationToken ct);
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
    public static WorkItem Enqueue<T>(this BotDbContext db, string kind, string dedupeKey, T payload, DateTimeOffset dueAt, Guid? questionId = null,
        string? lane = null)
    {
        var item = new WorkItem
        {
            Id = Guid.NewGuid(),
            Kind = kind,
            DedupeKey = dedupeKey,
            QuestionId = questionId,
            Lane = lane,
            // Left unset where the store numbers items itself.
            Sequence = db.NumbersWorkItems ? 0 : WorkSequence.Next(),
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
    public static bool IsUniqueViolation(this DbUpdateException ex) =>
        ex.InnerException?.Message.Contains("UNIQUE constraint failed", StringComparison.OrdinalIgnoreCase) == true ||
        ex.InnerException?.Message.Contains("duplicate key value", StringComparison.OrdinalIgnoreCase) == true;
}

/// <summary>Increasing numbers for ordering work within a lane: the clock's ticks, never repeating within a process.</summary>
internal static class WorkSequence
{
    private static long _last;

    public static long Next()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(last + 1, DateTime.UtcNow.Ticks);
            if (Interlocked.CompareExchange(ref _last, next, last) == last) return next;
        }
    }
}

internal static class JobJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
