using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Persistence;

/// <summary>The store on PostgreSQL, shared by several instances. Its migrations are in Migrations/PostgreSql.</summary>
public sealed class PostgresBotDbContext(DbContextOptions<PostgresBotDbContext> options) : BotDbContext(options);
