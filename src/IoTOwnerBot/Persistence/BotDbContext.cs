using System.Text.Json;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Incidents;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Questions;
using IoTOwnerBot.SocChannel;
using IoTOwnerBot.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IoTOwnerBot.Persistence;

/// <summary>
/// The service's durable state: questions with their devices, recipients and timeline; work items; poller checkpoints; Teams conversation references and cards; SOC channel threads; digests and who delivers each question.
/// One model for every store; <see cref="SqliteBotDbContext"/> and <see cref="PostgresBotDbContext"/> only tell the migration sets apart.
/// </summary>
public abstract class BotDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Question> Questions => Set<Question>();
    public DbSet<QuestionDevice> Devices => Set<QuestionDevice>();
    public DbSet<Recipient> Recipients => Set<Recipient>();
    public DbSet<TeamsConversation> TeamsConversations => Set<TeamsConversation>();
    public DbSet<TeamsMessage> TeamsMessages => Set<TeamsMessage>();
    public DbSet<TimelineEvent> Timeline => Set<TimelineEvent>();
    public DbSet<WorkItem> WorkItems => Set<WorkItem>();
    public DbSet<PollerCheckpoint> PollerCheckpoints => Set<PollerCheckpoint>();
    public DbSet<UsedAnswerToken> UsedAnswerTokens => Set<UsedAnswerToken>();
    public DbSet<SocThread> SocThreads => Set<SocThread>();
    public DbSet<SocThreadReply> SocThreadReplies => Set<SocThreadReply>();
    public DbSet<Digest> Digests => Set<Digest>();
    public DbSet<DeliveryClaim> DeliveryClaims => Set<DeliveryClaim>();
    public DbSet<Outlook.MailBooking> MailBookings => Set<Outlook.MailBooking>();
    public DbSet<Outlook.MailSender> MailSenders => Set<Outlook.MailSender>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date-time type that sorts and compares; unix milliseconds do both.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UnixMillisecondsConverter>();
        }
        // PostgreSQL's timestamptz stores an instant; Npgsql writes only UTC offsets, so every value is made UTC first.
        else if (Database.IsNpgsql())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcConverter>();
        }
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Question>(q =>
        {
            q.ToTable("questions");
            q.HasKey(x => x.Id);
            q.HasIndex(x => new { x.IncidentKey, x.Round }).IsUnique();
            q.HasIndex(x => x.State);
            q.Property(x => x.IncidentKey).HasMaxLength(512);
            q.Property(x => x.State).HasConversion<string>().HasMaxLength(16);
            q.Property(x => x.Answer).HasConversion<string>().HasMaxLength(16);
            q.Property(x => x.AnsweredByObjectId).HasMaxLength(64);
            q.Property(x => x.CardVersions).HasConversion(JsonConverter<Dictionary<string, string>>(), JsonComparer<Dictionary<string, string>>());
            q.Property(x => x.Version).IsConcurrencyToken();
            q.HasMany(x => x.Devices).WithOne().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
            q.HasMany(x => x.Recipients).WithOne().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
            q.HasMany(x => x.Timeline).WithOne().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<QuestionDevice>(d => d.ToTable("question_devices"));
        modelBuilder.Entity<Recipient>(r =>
        {
            r.ToTable("recipients");
            r.Property(x => x.Source).HasConversion<string>().HasMaxLength(16);
            r.Property(x => x.DeviceNames).HasConversion(JsonConverter<List<string>>(), JsonComparer<List<string>>());
            r.Ignore(x => x.Display);
        });
        modelBuilder.Entity<TimelineEvent>(t =>
        {
            t.ToTable("timeline_events");
            t.HasIndex(x => new { x.QuestionId, x.Id });
            t.HasIndex(x => x.CommentId).IsUnique();
        });
        modelBuilder.Entity<WorkItem>(w =>
        {
            w.ToTable("work_items");
            w.HasKey(x => x.Id);
            w.HasIndex(x => x.DedupeKey).IsUnique();
            w.HasIndex(x => new { x.Status, x.DueAt });
            w.HasIndex(x => new { x.Lane, x.Status, x.Sequence });
            w.Property(x => x.Lane).HasMaxLength(100);
            w.Property(x => x.Kind).HasMaxLength(64);
            w.Property(x => x.DedupeKey).HasMaxLength(600);
            w.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            if (Database.IsNpgsql())
            {
                // Several instances enqueue into one lane: the database numbers the items, so an item enqueued after
                // another committed always comes after it, whatever the instances' clocks say.
                modelBuilder.HasSequence<long>(WorkItemSequence);
                w.Property(x => x.Sequence).HasDefaultValueSql($"nextval('{WorkItemSequence}')");
            }
        });
        modelBuilder.Entity<UsedAnswerToken>(t =>
        {
            t.ToTable("used_answer_tokens");
            t.HasKey(x => x.Key);
            t.Property(x => x.Key).HasMaxLength(128);
            t.HasOne<Question>().WithMany().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<PollerCheckpoint>(p =>
        {
            p.ToTable("poller_checkpoints");
            p.HasKey(x => x.WorkspaceKey);
        });
        modelBuilder.Entity<TeamsConversation>(c =>
        {
            c.ToTable("teams_conversations");
            c.HasIndex(x => new { x.TenantId, x.UserObjectId }).IsUnique();
            c.Property(x => x.TenantId).HasMaxLength(64);
            c.Property(x => x.UserObjectId).HasMaxLength(64);
        });
        modelBuilder.Entity<TeamsMessage>(m =>
        {
            m.ToTable("teams_messages");
            m.HasIndex(x => new { x.QuestionId, x.RecipientObjectId }).IsUnique();
            m.Property(x => x.RecipientObjectId).HasMaxLength(64);
            m.Property(x => x.ShowsState).HasMaxLength(16);
        });
        modelBuilder.Entity<SocThread>(t =>
        {
            t.ToTable("soc_threads");
            t.HasKey(x => x.IncidentKey);
            t.Property(x => x.IncidentKey).HasMaxLength(512);
            t.Property(x => x.RootShows).HasMaxLength(80);
        });
        modelBuilder.Entity<SocThreadReply>(r =>
        {
            r.ToTable("soc_thread_replies");
            r.HasKey(x => x.Id);
            r.HasIndex(x => x.IncidentKey);
            r.Property(x => x.IncidentKey).HasMaxLength(512);
            r.Property(x => x.Outcome).HasMaxLength(16);
        });
        modelBuilder.Entity<Digest>(d =>
        {
            d.ToTable("digests");
            d.HasKey(x => x.Id);
            d.Property(x => x.Channel).HasMaxLength(16);
            d.Property(x => x.RecipientKey).HasMaxLength(320);
            d.Property(x => x.ShowsState).HasMaxLength(512);
            d.Property(x => x.CardVersions).HasConversion(JsonConverter<Dictionary<string, string>>(), JsonComparer<Dictionary<string, string>>());
            d.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.DigestId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<DeliveryClaim>(c =>
        {
            c.ToTable("delivery_claims");
            // One deliverer per question, channel and owner: alone or in exactly one digest.
            c.HasIndex(x => new { x.QuestionId, x.Channel, x.RecipientKey }).IsUnique();
            c.HasIndex(x => new { x.DigestId, x.Position });
            c.Property(x => x.Channel).HasMaxLength(16);
            c.Property(x => x.RecipientKey).HasMaxLength(320);
            c.HasOne<Question>().WithMany().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Outlook.MailBooking>(b =>
        {
            b.ToTable("mail_bookings");
            b.HasKey(x => x.DeliveryId);
            b.Property(x => x.DeliveryId).ValueGeneratedNever();
            b.Property(x => x.Sender).HasMaxLength(320);
            // A sender's last booking, its last priority booking, its bookings of the past 24 h.
            b.HasIndex(x => new { x.Sender, x.At });
            b.HasIndex(x => new { x.Sender, x.Priority, x.At });
        });
        modelBuilder.Entity<Outlook.MailSender>(s =>
        {
            s.ToTable("mail_senders");
            s.HasKey(x => x.Address);
            s.Property(x => x.Address).HasMaxLength(320);
            s.Property(x => x.BlockedReason).HasMaxLength(500);
        });
    }

    internal const string WorkItemSequence = "work_item_sequence";

    /// <summary>True when the store numbers work items itself (see <see cref="WorkItem.Sequence"/>).</summary>
    internal bool NumbersWorkItems => Database.IsNpgsql();

    /// <summary>The service's clock (the application's <see cref="TimeProvider"/>), for what the store stamps itself.</summary>
    internal TimeProvider Time => this.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider
        ?.GetService<TimeProvider>() ?? TimeProvider.System;

    private static ValueConverter<T, string> JsonConverter<T>() where T : new() => new(
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
        v => JsonSerializer.Deserialize<T>(v, JsonSerializerOptions.Default) ?? new T());

    private static ValueComparer<T> JsonComparer<T>() => new(
        (a, b) => JsonSerializer.Serialize(a, JsonSerializerOptions.Default) == JsonSerializer.Serialize(b, JsonSerializerOptions.Default),
        v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default).GetHashCode(StringComparison.Ordinal),
        v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, JsonSerializerOptions.Default), JsonSerializerOptions.Default)!);

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);

    private sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}

/// <summary>The store on SQLite: one file, the embedded default. Its migrations are in Migrations/Sqlite.</summary>
public sealed class SqliteBotDbContext(DbContextOptions<SqliteBotDbContext> options) : BotDbContext(options);

/// <summary>The store on PostgreSQL, shared by several instances. Its migrations are in Migrations/PostgreSql.</summary>
public sealed class PostgresBotDbContext(DbContextOptions<PostgresBotDbContext> options) : BotDbContext(options);
