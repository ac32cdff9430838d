using System.Globalization;
using IoTOwnerBot.Persistence;
using Npgsql;

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>
/// A test's own empty store, on the provider chosen by <c>IOTOWNERBOT_TEST_STORE</c> (<c>sqlite</c>, the default, or
/// <c>postgres</c>): a fresh SQLite file, or a fresh database on the server in <c>IOTOWNERBOT_TEST_POSTGRES</c> (a role
/// that may create databases), dropped afterwards. Tests stay isolated and may run in parallel on either store.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string StoreVariable = "IOTOWNERBOT_TEST_STORE";
    public const string PostgresVariable = "IOTOWNERBOT_TEST_POSTGRES";
    private const string LocalPostgres = "Host=127.0.0.1;Port=5432;Username=iotownerbot_test;Password=iotownerbot_test;Database=postgres";

    private readonly string? _sqlitePath;
    private readonly string? _postgresName;

    private TestDatabase(StorageProvider provider, string connectionString, string? sqlitePath, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqlitePath = sqlitePath;
        _postgresName = postgresName;
    }

    /// <summary>The store every test of this run uses.</summary>
    public static StorageProvider Store { get; } = (Environment.GetEnvironmentVariable(StoreVariable) ?? "sqlite").ToUpperInvariant() switch
    {
        "SQLITE" or "" => StorageProvider.Sqlite,
        "POSTGRES" or "POSTGRESQL" => StorageProvider.PostgreSql,
        var other => throw new InvalidOperationException($"{StoreVariable}={other}: use sqlite or postgres."),
    };

    /// <summary>The server's administrative connection (a role that may create databases and roles).</summary>
    public static string ServerConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : LocalPostgres;

    public StorageProvider Provider { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        if (Store == StorageProvider.Sqlite)
        {
            var path = Path.Combine(Path.GetTempPath(), $"iotownerbot-test-{Guid.NewGuid():N}.db");
            return new TestDatabase(StorageProvider.Sqlite, $"Data Source={path}", path, null);
        }
        var name = $"iotownerbot_test_{Guid.NewGuid():N}";
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        var csb = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name };
        return new TestDatabase(StorageProvider.PostgreSql, csb.ConnectionString, null, name);
    }

    /// <summary>Points a service's settings at this store.</summary>
    public void ApplyTo(IDictionary<string, string?> settings)
    {
        settings["Storage:Provider"] = Provider.ToString();
        settings["Storage:ConnectionString"] = ConnectionString;
    }

    /// <summary>Runs one scalar query directly on the store, beside any service (e.g. after the service was killed).</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        if (Provider == StorageProvider.Sqlite)
        {
            await using var sqlite = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
            await sqlite.OpenAsync();
            await using var command = sqlite.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var pg = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await pg.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqlitePath is not null)
        {
            // Pooled connections keep the file open after it is deleted: give them back first, or every test leaves its
            // descriptors behind and a suite of hundreds of tests runs out of them (1,024 per process by default).
            await using (var pooled = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString))
                Microsoft.Data.Sqlite.SqliteConnection.ClearPool(pooled);
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_sqlitePath)!, Path.GetFileName(_sqlitePath) + "*"))
                File.Delete(file);
        }
        if (_postgresName is not null)
        {
            // FORCE ends the test's own connections; a background process of the server itself (autovacuum) may not be
            // ended by the test role and is waited for instead.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)");
                    return;
                }
                catch (PostgresException ex) when (attempt < 50 && ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
                {
                    await Task.Delay(100);
                }
            }
        }
    }
}
