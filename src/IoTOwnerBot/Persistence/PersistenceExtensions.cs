using System.Data.Common;
using Azure.Core;
using IoTOwnerBot.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IoTOwnerBot.Persistence;

/// <summary>
/// The durable store: SQLite by default (one file, one command), PostgreSQL for several instances sharing one database.
/// Each provider has its own checked-in migration set generated from the one model; start-up applies it, safely when
/// several instances start at once.
/// </summary>
public static class PersistenceExtensions
{
    public static IServiceCollection AddPersistence(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindSettings(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton(sp => CreateDataSource(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<TokenCredential>(), sp.GetService<ILoggerFactory>()));
        // Pooled: the options depend on settings read once at start, and a context holds no state of its own beyond
        // what EF resets, so each request or work item gets a reset context instead of building one (and its options).
        // SQLite: one writer at a time, queued in the process with clicks first (SqliteWriteGate), not in the provider's sleeps.
        services.AddSingleton<SqliteWriteGate>();
        services.AddSingleton<SqliteWriteGateInterceptor>();
        services.AddSingleton<StoreMetrics>();
        services.AddDbContextPool<SqliteBotDbContext>((sp, options) =>
        {
            // The writer's metrics exist from the SQLite store's first use (a PostgreSQL deployment has no such writer).
            _ = sp.GetRequiredService<StoreMetrics>();
            ConfigureSqlite(ServiceWarnings(options).AddInterceptors(sp.GetRequiredService<SqliteWriteGateInterceptor>()), Storage(sp));
        });
        services.AddDbContextPool<PostgresBotDbContext>((sp, options) => ConfigurePostgres(ServiceWarnings(options), sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddScoped<BotDbContext>(sp => Storage(sp).Provider switch
        {
            StorageProvider.Sqlite => sp.GetRequiredService<SqliteBotDbContext>(),
            StorageProvider.PostgreSql => sp.GetRequiredService<PostgresBotDbContext>(),
            var other => throw new InvalidOperationException($"Storage:Provider '{other}' is not supported."),
        });
        services.AddHostedService<SqliteFileRelease>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// What EF Core reports, as the service wants it. A unique-key violation is how two writers learn that the other won (a duplicate intake, a second conversation
    /// row): expected, handled where it happens, and logged there as what it is. EF Core's own failure events would log
    /// every such race as an error with a stack trace; any other failure still surfaces as an exception to the work
    /// item or request that hit it, which logs it. Start-up does not compare the model with the migrations (EF Core
    /// builds the design-time model and the snapshot for it, about half of a fresh store's migration time): the test
    /// suite proves each migration set matches the model before anything ships.
    /// </summary>
    private static DbContextOptionsBuilder ServiceWarnings(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(w => w
            .Log((CoreEventId.SaveChangesFailed, LogLevel.Debug), (RelationalEventId.CommandError, LogLevel.Debug))
            .Ignore(RelationalEventId.PendingModelChangesWarning));

    private static StorageOptions Storage(IServiceProvider sp) => sp.GetRequiredService<IOptions<StorageOptions>>().Value;

    internal static void ConfigureSqlite(DbContextOptionsBuilder options, StorageOptions storage)
    {
        options.UseSqlite(SqliteConnectionString(storage), sqlite => sqlite
            .MigrationsAssembly(typeof(BotDbContext).Assembly.FullName)
            .UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery));
    }

    /// <summary>The SQLite connection string the service uses (pooled, waiting up to 30 s for the writer lock).</summary>
    internal static string SqliteConnectionString(StorageOptions storage) =>
        new SqliteConnectionStringBuilder(storage.ConnectionString) { DefaultTimeout = 30, Pooling = true }.ToString();

    internal static void ConfigurePostgres(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql
            .MigrationsAssembly(typeof(BotDbContext).Assembly.FullName)
            .UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery));

    /// <summary>Statements each PostgreSQL connection keeps prepared (Npgsql's automatic preparation), unless the connection string sets it.</summary>
    internal const int AutoPreparedStatements = 64;

    /// <summary>
    /// One pooled data source per process. With Entra sign-in the password is an access token for the service's own
    /// credential (managed identity in Azure), fetched before the first connection and again every
    /// <see cref="StorageOptions.EntraTokenRefresh"/>, so a new physical connection never presents an expired token.
    /// </summary>
    internal static NpgsqlDataSource CreateDataSource(StorageOptions storage, TokenCredential credential, ILoggerFactory? loggers)
    {
        var builder = new NpgsqlDataSourceBuilder(storage.ConnectionString);
        // The service sends the same few statements over and over (claims, clicks, timeline): prepared on the server
        // after their second use, they are parsed and planned once per connection instead of every time. A connection
        // string that says otherwise wins (e.g. "Max Auto Prepare=0" behind a pooler without prepared statements).
        var given = new DbConnectionStringBuilder { ConnectionString = storage.ConnectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare")) builder.ConnectionStringBuilder.MaxAutoPrepare = AutoPreparedStatements;
        if (loggers is not null) builder.UseLoggerFactory(loggers);
        if (storage.Authentication == StorageAuthentication.Entra)
        {
            var request = new TokenRequestContext([storage.EntraScope]);
            builder.UsePeriodicPasswordProvider(
                async (_, ct) => (await credential.GetTokenAsync(request, ct)).Token,
                storage.EntraTokenRefresh,
                failureRefreshInterval: TimeSpan.FromSeconds(10));
        }
        return builder.Build();
    }

    /// <summary>
    /// Applies pending migrations. Several instances may start at once: on PostgreSQL they queue on an advisory lock
    /// held for the whole migration (a session lock: it ends with the connection of a migrator that died), so one
    /// applies it and the others find nothing left to do. On SQLite they queue on an operating-system lock of a file
    /// beside the database (<see cref="SqliteMigrationLock"/>), which the system lets go of when its holder dies; the
    /// file is switched to WAL so readers never block the writer.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BotDbContext>();
        if (db.Database.IsSqlite())
        {
            // Real time, not the service's clock: the wait is for another process, which runs on real time.
            await using var held = await SqliteMigrationLock.AcquireAsync(db.Database.GetConnectionString(), TimeProvider.System, ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await held.ClearStaleEfLockAsync(db, scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger<SqliteMigrationLock>(), ct);
            await db.Database.MigrateAsync(ct);
            return;
        }

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockKey})", ct);
            try
            {
                await db.Database.MigrateAsync(ct);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The advisory lock key of schema migration (any fixed number the database's other users do not take).</summary>
    internal const long MigrationLockKey = 0x10_7A_0B_07;

    private sealed class DatabaseHealthCheck(BotDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database cannot be reached.");
    }
}
