using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTOwnerBot.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AnswerResponderIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AnsweredByObjectId",
                table: "questions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "AnsweredForRecipientId",
                table: "questions",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AnsweredByObjectId",
                table: "questions");

            migrationBuilder.DropColumn(
                name: "AnsweredForRecipientId",
                table: "questions");
        }
    }
}
