using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTOwnerBot.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class UsedAnswerTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "used_answer_tokens",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    QuestionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_used_answer_tokens", x => x.Key);
                    table.ForeignKey(
                        name: "FK_used_answer_tokens_questions_QuestionId",
                        column: x => x.QuestionId,
                        principalTable: "questions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_used_answer_tokens_QuestionId",
                table: "used_answer_tokens",
                column: "QuestionId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "used_answer_tokens");
        }
    }
}
