using Azure.Core;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Persistence;

public sealed class StorageTests : IAsyncLifetime
{
    private EmulatorServer _emulator = null!;

    public async Task InitializeAsync() => _emulator = await EmulatorServer.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Theory]
    [InlineData("Host=db.example;Database=bot;Username=bot", PersistenceExtensions.AutoPreparedStatements)]
    [InlineData("Host=db.example;Database=bot;Username=bot;Max Auto Prepare=0", 0)]
    [InlineData("Host=db.example;Database=bot;Username=bot;Max Auto Prepare=5", 5)]
    public async Task PostgreSqlStatements_ArePreparedAutomatically_UnlessTheConnectionStringSaysOtherwise(string connectionString, int expected)
    {
        var storage = new StorageOptions { Provider = StorageProvider.PostgreSql, ConnectionString = connectionString };
        await using var source = PersistenceExtensions.CreateDataSource(storage, new Azure.Identity.DefaultAzureCredential(), null);
        Assert.Equal(expected, new Npgsql.NpgsqlConnectionStringBuilder(source.ConnectionString).MaxAutoPrepare);
    }

    [Fact]
    public void EachProvidersMigrationSet_IsUpToDateWithTheOneModel()
    {
        // A schema change needs a migration in both sets; whichever is missing fails here, whatever store the run uses.
        using var sqlite = new SqliteDesignTimeFactory().CreateDbContext([]);
        using var postgres = new PostgresDesignTimeFactory().CreateDbContext([]);

        Assert.False(sqlite.Database.HasPendingModelChanges(), "Migrations/Sqlite lacks a migration for the current model");
        Assert.False(postgres.Database.HasPendingModelChanges(), "Migrations/PostgreSql lacks a migration for the current model");
        Assert.NotEmpty(sqlite.Database.GetMigrations());
        Assert.NotEmpty(postgres.Database.GetMigrations());
    }

    [Fact]
    public void EachProvidersCompiledModel_IsTheOneModel()
    {
        // Start-up loads the compiled model instead of running OnModelCreating: it must say exactly what the mapping
        // says (scripts/compile-model regenerates it).
        using var sqlite = new SqliteDesignTimeFactory().CreateDbContext([]);
        using var postgres = new PostgresDesignTimeFactory().CreateDbContext([]);
        foreach (var (db, folder) in new (DbContext, string)[] { (sqlite, "Sqlite"), (postgres, "PostgreSql") })
        {
            var compiled = db.Model;
            var mapped = db.GetService<IDesignTimeModel>().Model;
            Assert.True(compiled is RuntimeModel && compiled.GetType().Namespace!.EndsWith(folder, StringComparison.Ordinal),
                $"{db.GetType().Name} does not use its compiled model (Persistence/CompiledModels/{folder})");
            Assert.Equal(Shape(mapped), Shape(compiled));
        }
    }

    /// <summary>
    /// The model as text to compare: every entity's properties (type, converter, nullability, concurrency) and
    /// navigations, and every table's columns (store type, nullability), keys, foreign keys and indexes.
    /// </summary>
    private static List<string> Shape(IModel model)
    {
        var entities = model.GetEntityTypes().SelectMany(e => e.GetProperties()
                .Select(p => $"{e.Name}.{p.Name}: {p.ClrType.Name} {p.GetValueConverter()?.GetType().Name} {p.IsNullable} {p.IsConcurrencyToken} {p.ValueGenerated}")
                .Concat(e.GetNavigations().Select(n => $"{e.Name}.{n.Name} -> {n.TargetEntityType.Name}")));
        var tables = model.GetRelationalModel().Tables.SelectMany(t => t.Columns
                .Select(c => $"{t.Name}.{c.Name}: {c.StoreType} {c.IsNullable}")
                .Concat(t.UniqueConstraints.Select(u => $"{t.Name} unique {u.Name} ({string.Join(", ", u.Columns.Select(c => c.Name))})"))
                .Concat(t.ForeignKeyConstraints.Select(f => $"{t.Name} fk {f.Name} -> {f.PrincipalTable.Name} {f.OnDeleteAction}"))
                .Concat(t.Indexes.Select(i => $"{t.Name} index {i.Name} {i.IsUnique} ({string.Join(", ", i.Columns.Select(c => c.Name))}) {i.Filter}")));
        return [.. entities.Concat(tables).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task SeveralInstancesStartingAtOnce_OnOneEmptyStore_ApplyTheSchemaOnce()
    {
        await using var database = await TestDatabase.CreateAsync();

        var hosts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => BotHost.StartAsync(_emulator, database))));
        try
        {
            foreach (var host in hosts)
            {
                using var ready = await host.Client.GetAsync("readyz");
                Assert.True(ready.IsSuccessStatusCode);
            }
            var migrations = await hosts[0].QueryAsync(db => Task.FromResult(db.Database.GetMigrations().Count()));
            Assert.Equal(migrations, await database.ScalarAsync("SELECT COUNT(*) FROM \"__EFMigrationsHistory\""));
        }
        finally
        {
            foreach (var host in hosts) await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task AStartUpKilledWhileMigrating_DoesNotKeepTheNextStartWaiting()
    {
        await using var database = await TestDatabase.CreateAsync();
        await (await BotHost.StartAsync(_emulator, database)).DisposeAsync();

        if (database.Provider == StorageProvider.Sqlite)
        {
            // EF Core's lock row, as a migrator killed between taking and releasing it leaves it behind.
            await database.ScalarAsync("INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, '2026-01-01 00:00:00+00:00')");
            Assert.Equal(1, await database.ScalarAsync("SELECT COUNT(*) FROM \"__EFMigrationsLock\""));
        }
        else
        {
            // A migrator that took the advisory lock and died: its session (and with it the lock) ends with its connection.
            var csb = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false };
            await using var migrator = new Npgsql.NpgsqlConnection(csb.ConnectionString);
            await migrator.OpenAsync();
            await using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({PersistenceExtensions.MigrationLockKey})", migrator))
                await take.ExecuteNonQueryAsync();
            await using (var die = new Npgsql.NpgsqlCommand("SELECT pg_terminate_backend(pg_backend_pid())", migrator))
                await Assert.ThrowsAnyAsync<Exception>(() => die.ExecuteNonQueryAsync());
        }

        // The normal start path, bounded: before the fix it waited for the dead migrator for ever.
        await using var bot = await Task.Run(() => BotHost.StartAsync(_emulator, database)).WaitAsync(TimeSpan.FromSeconds(90));
        using var ready = await bot.Client.GetAsync("readyz");
        Assert.True(ready.IsSuccessStatusCode);
        if (database.Provider == StorageProvider.Sqlite)
            Assert.Equal(0, await database.ScalarAsync("SELECT COUNT(*) FROM \"__EFMigrationsLock\""));
    }

    [Fact]
    public async Task EntraSignIn_OnSqlite_RefusesToStart_NamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var bot = await BotHost.StartAsync(_emulator, configure: s =>
            {
                s["Storage:Provider"] = "Sqlite";
                s["Storage:ConnectionString"] = "Data Source=never-created.db";
                s["Storage:Authentication"] = "Entra";
            });
        });

        Assert.Contains("Storage:Authentication", Flatten(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Username=bot", "Database=")]
    [InlineData("Host=127.0.0.1;Database=iotownerbot;Username=bot;Password=secret", "remove Password=")]
    [InlineData("Host=127.0.0.1;Database=iotownerbot", "Username=")]
    public async Task EntraSignIn_WithAnIncompleteConnectionString_RefusesToStart(string connectionString, string named)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var bot = await BotHost.StartAsync(_emulator, configure: s =>
            {
                s["Storage:Provider"] = "PostgreSql";
                s["Storage:ConnectionString"] = connectionString;
                s["Storage:Authentication"] = "Entra";
            });
        });

        var message = Flatten(error);
        Assert.Contains("Storage:ConnectionString", message, StringComparison.Ordinal);
        Assert.Contains(named, message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Azure Database for PostgreSQL takes an Entra access token as the password of the identity's role. Here a local
    /// role's password is the token the service's credential hands out, so the service connects only if it presents it.
    /// </summary>
    [Fact]
    public async Task EntraSignIn_PresentsTheServicesTokenAsThePassword()
    {
        if (TestDatabase.Store != StorageProvider.PostgreSql) return; // needs a PostgreSQL server: runs in the postgres pass

        var role = $"entra_{Guid.NewGuid():N}"[..30];
        var credential = new RecordingCredential($"token-{Guid.NewGuid():N}");
        await TestDatabase.ExecuteOnServerAsync($"CREATE ROLE \"{role}\" LOGIN PASSWORD '{credential.Token}'");
        try
        {
            await using (var database = await TestDatabase.CreateAsync())
            {
                await GrantSchemaAsync(database, role);
                var csb = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Password = null };
                await using var bot = await BotHost.StartAsync(_emulator, database, s =>
                {
                    s["Storage:ConnectionString"] = csb.ConnectionString;
                    s["Storage:Authentication"] = "Entra";
                }, services: s => s.AddSingleton<TokenCredential>(credential));

                using var ready = await bot.Client.GetAsync("readyz");
                Assert.True(ready.IsSuccessStatusCode);
                Assert.Equal(0, await bot.QueryAsync(db => db.Questions.CountAsync()));
                Assert.Contains("https://ossrdbms-aad.database.windows.net/.default", credential.Scopes);
            }
        }
        finally
        {
            await TestDatabase.ExecuteOnServerAsync($"DROP ROLE IF EXISTS \"{role}\"");
        }
    }

    private static async Task GrantSchemaAsync(TestDatabase database, string role)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var grant = new Npgsql.NpgsqlCommand($"GRANT USAGE, CREATE ON SCHEMA public TO \"{role}\"", connection);
        await grant.ExecuteNonQueryAsync();
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);

    private sealed class RecordingCredential(string token) : TokenCredential
    {
        public string Token { get; } = token;
        public System.Collections.Concurrent.ConcurrentBag<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            foreach (var scope in requestContext.Scopes) Scopes.Add(scope);
            return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
