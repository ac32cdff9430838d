using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Jobs;

/// <summary>On PostgreSQL the database also numbers the items (<see cref="WorkItem.Sequence"/>): that provider-specific part is in <see cref="Persistence.BotDbContext"/>.</summary>
internal sealed class WorkItemEntityTypeConfiguration : IEntityTypeConfiguration<WorkItem>
{
    public void Configure(EntityTypeBuilder<WorkItem> builder)
    {
        builder.ToTable("work_items");
        builder.HasKey(x => x.Id);
        builder.HasIndex(x => x.DedupeKey).IsUnique();
        builder.HasIndex(x => new { x.Status, x.DueAt });
        builder.HasIndex(x => new { x.Lane, x.Status, x.Sequence });
        builder.Property(x => x.Lane).HasMaxLength(100);
        builder.Property(x => x.Kind).HasMaxLength(64);
        builder.Property(x => x.DedupeKey).HasMaxLength(600);
        builder.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
    }
}
