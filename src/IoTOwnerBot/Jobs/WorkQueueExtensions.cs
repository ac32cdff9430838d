using System.Text.Json;
using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Jobs;

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
