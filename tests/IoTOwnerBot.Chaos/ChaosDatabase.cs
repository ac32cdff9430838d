using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IoTOwnerBot.Chaos;

/// <summary>
/// The service's database for one run: a SQLite file in the run's folder, or a PostgreSQL database created for the run
/// and dropped afterwards. The runner reads it beside the service (work still due, failed work, comment ids).
/// </summary>
public sealed class ChaosDatabase : IAsyncDisposable
{
    private readonly string? _server;
    private readonly string? _postgresName;

    private ChaosDatabase(string provider, string connectionString, string? server, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _server = server;
        _postgresName = postgresName;
    }

    /// <summary><c>Storage:Provider</c> of the service.</summary>
    public string Provider { get; }
    public string ConnectionString { get; }
    private bool IsSqlite => _postgresName is null;

    public static async Task<ChaosDatabase> CreateAsync(ChaosOptions options, string folder)
    {
        if (options.Store == ChaosStore.Sqlite)
            return new ChaosDatabase("Sqlite", $"Data Source={Path.Combine(folder, "iotownerbot-chaos.db")}", null, null);
        var name = $"iotownerbot_chaos_{Guid.NewGuid():N}";
        await ExecuteAsync(options.Postgres, $"CREATE DATABASE \"{name}\"");
        var connection = new NpgsqlConnectionStringBuilder(options.Postgres) { Database = name }.ConnectionString;
        return new ChaosDatabase("PostgreSql", connection, options.Postgres, name);
    }

    /// <summary>
    /// Work that keeps the service busy: a retry waiting for its next attempt, or pending work due within
    /// <see cref="Horizon"/> (work postponed without spending an attempt, e.g. waiting for a SOC thread another run
    /// was creating, is still to be done). The product's long timers (Teams fallback after 30 minutes, reminders,
    /// escalation, expiry) lie beyond it.
    /// </summary>
    public async Task<long> BusyWorkAsync()
    {
        var horizon = DateTimeOffset.UtcNow + Horizon;
        var sql = IsSqlite
            ? $"""SELECT COUNT(*) FROM work_items WHERE "Status" = 'Pending' AND ("Attempts" > 0 OR "DueAt" <= {horizon.ToUnixTimeMilliseconds()})"""
            : $"""SELECT COUNT(*) FROM work_items WHERE "Status" = 'Pending' AND ("Attempts" > 0 OR "DueAt" <= now() + interval '{(int)Horizon.TotalSeconds} seconds')""";
        var rows = await QueryAsync(sql, r => r.GetInt64(0));
        return rows.Count == 0 ? 0 : rows[0];
    }

    public static readonly TimeSpan Horizon = TimeSpan.FromMinutes(5);

    public sealed record FailedWork(string Kind, string? IncidentName, int Attempts, string? LastError);

    public Task<List<FailedWork>> FailedWorkAsync() => QueryAsync(
        """
        SELECT w."Kind", q."IncidentName", w."Attempts", w."LastError"
        FROM work_items w LEFT JOIN questions q ON q."Id" = w."QuestionId"
        WHERE w."Status" = 'Failed'
        """,
        r => new FailedWork(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3)));

    /// <summary>The comment id of every timeline event mirrored to its incident, by incident name.</summary>
    public async Task<ILookup<string, string>> CommentIdsAsync()
    {
        var rows = await QueryAsync(
            """
            SELECT q."IncidentName", t."CommentId", t."Kind"
            FROM timeline_events t JOIN questions q ON q."Id" = t."QuestionId"
            WHERE t."CommentId" IS NOT NULL
            """,
            r => (Incident: r.GetString(0), CommentId: r.GetValue(1).ToString()!.ToUpperInvariant()));
        return rows.ToLookup(r => r.Incident, r => r.CommentId, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Deliveries (e-mail or Teams card, by incident name and owner address) whose work finished without sending because
    /// the question was already decided: the service does not ask an owner once another has answered or the question
    /// closed. Only a delivery whose work completed at or after the decision counts; one that ended earlier is lost.
    /// </summary>
    public async Task<IReadOnlySet<(string Incident, string Address)>> DeliveriesAfterDecisionAsync()
    {
        var rows = await QueryAsync(
            """
            SELECT q."IncidentName", w."Payload", w."CompletedAt", COALESCE(q."AnsweredAt", q."UpdatedAt"), q."Id"
            FROM work_items w JOIN questions q ON q."Id" = w."QuestionId"
            WHERE w."Kind" IN ('outlook.send', 'teams.send') AND w."Status" = 'Succeeded' AND q."State" <> 'Open'
            """,
            r => (Incident: r.GetString(0), Payload: r.GetString(1), Completed: Instant(r.GetValue(2)), Decided: Instant(r.GetValue(3)),
                Question: r.GetValue(4).ToString()!));
        var recipients = (await QueryAsync(
                """SELECT "QuestionId", "ObjectId", "Address" FROM recipients WHERE "ObjectId" IS NOT NULL""",
                r => (Question: r.GetValue(0).ToString()!, ObjectId: r.GetString(1), Address: r.GetString(2))))
            .ToLookup(r => (r.Question.ToUpperInvariant(), r.ObjectId.ToUpperInvariant()), r => r.Address);
        var found = new HashSet<(string, string)>(IgnoreCase.Instance);
        foreach (var row in rows.Where(r => r.Completed is { } completed && r.Decided is { } decided && decided <= completed))
        {
            var payload = System.Text.Json.Nodes.JsonNode.Parse(row.Payload)!;
            if ((string?)payload["address"] is { } address) found.Add((row.Incident, address));
            else if ((string?)payload["objectId"] is { } objectId)
                foreach (var a in recipients[(row.Question.ToUpperInvariant(), objectId.ToUpperInvariant())]) found.Add((row.Incident, a));
        }
        return found;
    }

    /// <summary>A timestamp column as the provider returns it: Unix milliseconds on SQLite, a timestamp on PostgreSQL.</summary>
    private static DateTimeOffset? Instant(object value) => value switch
    {
        long ms => DateTimeOffset.FromUnixTimeMilliseconds(ms),
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        DateTimeOffset t => t,
        _ => null,
    };

    private sealed class IgnoreCase : IEqualityComparer<(string, string)>
    {
        public static readonly IgnoreCase Instance = new();
        public bool Equals((string, string) x, (string, string) y) =>
            StringComparer.OrdinalIgnoreCase.Equals(x.Item1, y.Item1) && StringComparer.OrdinalIgnoreCase.Equals(x.Item2, y.Item2);
        public int GetHashCode((string, string) obj) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Item1), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Item2));
    }

    private async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read)
    {
        await using DbConnection connection = IsSqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<T>();
        while (await reader.ReadAsync()) list.Add(read(reader));
        return list;
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (IsSqlite)
        {
            SqliteConnection.ClearAllPools();
            return;
        }
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync(_server!, $"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)");
                return;
            }
            catch (PostgresException ex) when (attempt < 50 && ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
            {
                await Task.Delay(100);
            }
        }
    }
}
