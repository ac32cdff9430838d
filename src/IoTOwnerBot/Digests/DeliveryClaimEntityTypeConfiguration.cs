using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Digests;

internal sealed class DeliveryClaimEntityTypeConfiguration : IEntityTypeConfiguration<DeliveryClaim>
{
    public void Configure(EntityTypeBuilder<DeliveryClaim> builder)
    {
        builder.ToTable("delivery_claims");
        // One deliverer per question, channel and owner: alone or in exactly one digest.
        builder.HasIndex(x => new { x.QuestionId, x.Channel, x.RecipientKey }).IsUnique();
        builder.HasIndex(x => new { x.DigestId, x.Position });
        builder.Property(x => x.Channel).HasMaxLength(16);
        builder.Property(x => x.RecipientKey).HasMaxLength(320);
        builder.HasOne<Question>().WithMany().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
    }
}
