using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IoTOwnerBot.Persistence;

/// <summary>Lets <c>dotnet ef migrations add --context PostgresBotDbContext</c> build the context; no server is contacted.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresBotDbContext>
{
    public PostgresBotDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PostgresBotDbContext>();
        builder.UseNpgsql("Host=localhost;Database=iotownerbot", npgsql => npgsql.MigrationsAssembly(typeof(BotDbContext).Assembly.FullName));
        return new PostgresBotDbContext(builder.Options);
    }
}
