using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Outlook;

internal sealed class MailSenderEntityTypeConfiguration : IEntityTypeConfiguration<MailSender>
{
    public void Configure(EntityTypeBuilder<MailSender> builder)
    {
        builder.ToTable("mail_senders");
        builder.HasKey(x => x.Address);
        builder.Property(x => x.Address).HasMaxLength(320);
        builder.Property(x => x.BlockedReason).HasMaxLength(500);
    }
}
