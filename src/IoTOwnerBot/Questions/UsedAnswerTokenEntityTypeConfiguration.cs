using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Questions;

internal sealed class UsedAnswerTokenEntityTypeConfiguration : IEntityTypeConfiguration<UsedAnswerToken>
{
    public void Configure(EntityTypeBuilder<UsedAnswerToken> builder)
    {
        builder.ToTable("used_answer_tokens");
        builder.HasKey(x => x.Key);
        builder.Property(x => x.Key).HasMaxLength(128);
        builder.HasOne<Question>().WithMany().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
    }
}
