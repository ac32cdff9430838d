using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IoTOwnerBot.Persistence;

/// <summary>Lets <c>dotnet ef migrations add --context SqliteBotDbContext</c> build the context without starting the service.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteBotDbContext>
{
    public SqliteBotDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqliteBotDbContext>();
        PersistenceExtensions.ConfigureSqlite(builder, new StorageOptions { ConnectionString = "Data Source=design-time.db" });
        return new SqliteBotDbContext(builder.Options);
    }
}
