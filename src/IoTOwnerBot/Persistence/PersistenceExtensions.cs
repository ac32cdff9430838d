using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Persistence;

/// <summary>The durable store: SQLite by default; schema migrations are checked in and applied at start-up.</summary>
public static class PersistenceExtensions
{
    public static IServiceCollection AddPersistence(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddDbContext<BotDbContext>((sp, options) =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            Configure(options, storage);
            // A unique-key violation is how two writers learn that the other won (a duplicate intake, a second
            // conversation row): expected, handled where it happens, and logged there as what it is. EF Core's own
            // failure events would log every such race as an error with a stack trace; any other failure still
            // surfaces as an exception to the work item or request that hit it, which logs it.
            options.ConfigureWarnings(w => w.Log(
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug)));
        });
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    internal static void Configure(DbContextOptionsBuilder options, StorageOptions storage)
    {
        switch (storage.Provider)
        {
            case StorageProvider.Sqlite:
                var csb = new SqliteConnectionStringBuilder(storage.ConnectionString) { DefaultTimeout = 30, Pooling = true };
                options.UseSqlite(csb.ToString(), sqlite => sqlite
                    .MigrationsAssembly(typeof(BotDbContext).Assembly.FullName)
                    .UseQuerySplittingBehavior(QuerySplittingBehavior.SplitQuery));
                break;
            default:
                throw new InvalidOperationException($"Storage:Provider '{storage.Provider}' is not supported.");
        }
    }

    /// <summary>Applies pending migrations; with SQLite also switches to WAL so readers never block the writer.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BotDbContext>();
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        await db.Database.MigrateAsync(ct);
    }

    private sealed class DatabaseHealthCheck(BotDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database cannot be reached.");
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the context without starting the service.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BotDbContext>
{
    public BotDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<BotDbContext>();
        PersistenceExtensions.Configure(builder, new StorageOptions { ConnectionString = "Data Source=design-time.db" });
        return new BotDbContext(builder.Options);
    }
}
