using IoTOwnerBot.Digests;
using IoTOwnerBot.Incidents;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Questions;
using IoTOwnerBot.SocChannel;
using IoTOwnerBot.Teams;
using Microsoft.EntityFrameworkCore;
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
        // Each entity is mapped in the feature folder that owns it; what differs by provider stays here, with NumbersWorkItems.
        modelBuilder.ApplyConfiguration(new QuestionEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new QuestionDeviceEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new RecipientEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new TimelineEventEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new WorkItemEntityTypeConfiguration());
        if (Database.IsNpgsql())
        {
            // Several instances enqueue into one lane: the database numbers the items, so an item enqueued after
            // another committed always comes after it, whatever the instances' clocks say.
            modelBuilder.HasSequence<long>(WorkItemSequence);
            modelBuilder.Entity<WorkItem>().Property(x => x.Sequence).HasDefaultValueSql($"nextval('{WorkItemSequence}')");
        }
        modelBuilder.ApplyConfiguration(new UsedAnswerTokenEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new PollerCheckpointEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new TeamsConversationEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new TeamsMessageEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new SocThreadEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new SocThreadReplyEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new DigestEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new DeliveryClaimEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new Outlook.MailBookingEntityTypeConfiguration());
        modelBuilder.ApplyConfiguration(new Outlook.MailSenderEntityTypeConfiguration());
    }

    internal const string WorkItemSequence = "work_item_sequence";

    /// <summary>True when the store numbers work items itself (see <see cref="WorkItem.Sequence"/>).</summary>
    internal bool NumbersWorkItems => Database.IsNpgsql();

    /// <summary>The service's clock (the application's <see cref="TimeProvider"/>), for what the store stamps itself.</summary>
    internal TimeProvider Time => this.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider
        ?.GetService<TimeProvider>() ?? TimeProvider.System;

    internal sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(v => v.ToUniversalTime(), v => v);

    internal sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}
