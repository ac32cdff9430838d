using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Persistence;

/// <summary>The store on SQLite: one file, the embedded default. Its migrations are in Migrations/Sqlite.</summary>
public sealed class SqliteBotDbContext(DbContextOptions<SqliteBotDbContext> options) : BotDbContext(options);
