//! Tenant isolation in ORM queries: models with a tenant key, and whether
//! each query on them filters by it.

use diligence_model::{Confidence, Evidence, FactValue};

use crate::{evidence_of_files, found};

const SCHEMA: &str = "\
datasource db {
  provider = \"postgresql\"
  url      = env(\"DATABASE_URL\")
}

model Organization {
  id   String @id
  name String
}

model Project {
  id             String @id
  name           String
  organizationId String
  organization   Organization @relation(fields: [organizationId], references: [id])
}

model Country {
  code String @id
  name String
}
";

fn ratio(evidence: &Evidence, name: &str) -> Option<(u64, u64)> {
    evidence.facts.get(name).and_then(|f| match &f.value {
        FactValue::Ratio {
            numerator,
            denominator,
        } => Some((*numerator, *denominator)),
        _ => None,
    })
}

#[test]
fn prisma_queries_without_a_tenant_filter_are_flagged() -> anyhow::Result<()> {
    let routes = "\
import { prisma } from './db';
export async function list(req, res) {
  const projects = await prisma.project.findMany({ where: { organizationId: req.user.orgId } });
  res.json(projects);
}
export async function byRelation(req, res) {
  res.json(await prisma.project.findMany({ where: { AND: [{ organization: { id: req.user.orgId } }] } }));
}
export async function checkedAfter(req, res) {
  const project = await prisma.project.findUnique({ where: { id: req.params.id } });
  if (project.organizationId !== req.user.orgId) return res.status(404).end();
  res.json(project);
}
export async function leaky(req, res) {
  const project = await prisma.project.findUnique({ where: { id: req.params.id } });
  res.json(project);
}
export async function remove(req, res) {
  await prisma.project.delete({ where: { id: req.params.id } });
  res.status(204).end();
}
export async function countries(req, res) {
  res.json(await prisma.country.findMany());
}
";
    let evidence = evidence_of_files(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4", "@prisma/client": "^5" } }"#,
        ),
        ("prisma/schema.prisma", SCHEMA),
        ("src/projects.ts", routes),
        // A seed script touches every tenant by design.
        (
            "prisma/seed.ts",
            "import { prisma } from '../src/db';\nawait prisma.project.deleteMany();\n",
        ),
    ])?;
    assert_eq!(
        found(&evidence, "source.tenant-unfiltered-query"),
        [
            ("src/projects.ts", Some(15), Confidence::Low),
            ("src/projects.ts", Some(19), Confidence::Low)
        ]
    );
    assert_eq!(ratio(&evidence, "source.tenant-queries"), Some((3, 5)));
    let models = &evidence.facts["source.tenant-models"];
    assert_eq!(
        models.value,
        FactValue::List {
            values: vec!["Project (organizationId, Prisma)".to_owned()]
        }
    );
    Ok(())
}

#[test]
fn drizzle_queries_are_read_through_their_table_variables() -> anyhow::Result<()> {
    let schema = "\
import { pgTable, text } from 'drizzle-orm/pg-core';
export const projects = pgTable('projects', {
  id: text('id').primaryKey(),
  orgId: text('org_id').notNull(),
});
export const countries = pgTable('countries', { code: text('code') });
";
    let queries = "\
import { and, eq } from 'drizzle-orm';
import { db } from './db';
import { projects, countries } from './schema';
export async function mine(orgId: string, id: string) {
  return db.select().from(projects).where(and(eq(projects.id, id), eq(projects.orgId, orgId)));
}
export async function anyone(id: string) {
  return db.select().from(projects).where(eq(projects.id, id));
}
export async function wipe(id: string) {
  return db.delete(projects).where(eq(projects.id, id));
}
export async function list() {
  return db.select().from(countries);
}
";
    let evidence = evidence_of_files(&[
        (
            "package.json",
            r#"{ "dependencies": { "hono": "^4", "drizzle-orm": "^0.30" } }"#,
        ),
        ("src/schema.ts", schema),
        ("src/queries.ts", queries),
    ])?;
    assert_eq!(
        found(&evidence, "source.tenant-unfiltered-query"),
        [
            ("src/queries.ts", Some(8), Confidence::Low),
            ("src/queries.ts", Some(11), Confidence::Low)
        ]
    );
    assert_eq!(ratio(&evidence, "source.tenant-queries"), Some((1, 3)));
    Ok(())
}

#[test]
fn without_a_tenant_key_nothing_is_recorded() -> anyhow::Result<()> {
    let evidence = evidence_of_files(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4", "@prisma/client": "^5" } }"#,
        ),
        (
            "prisma/schema.prisma",
            "model Post {\n  id String @id\n  title String\n  organizer String\n}\n",
        ),
        (
            "src/posts.ts",
            "import { prisma } from './db';\nexport const all = () => prisma.post.findMany();\n",
        ),
    ])?;
    assert!(!evidence.facts.contains_key("source.tenant-models"));
    assert!(!evidence.facts.contains_key("source.tenant-queries"));
    assert!(found(&evidence, "source.tenant-unfiltered-query").is_empty());
    Ok(())
}

#[test]
fn a_data_access_helper_is_judged_by_the_functions_that_call_it() -> anyhow::Result<()> {
    let helpers = "\
import { prisma } from './db';
export const deleteProject = async (id: string) => prisma.project.delete({ where: { id } });
export const renameProject = async (id: string, name: string) =>
  prisma.project.update({ where: { id }, data: { name } });
export const countProjects = async ({ where }) => prisma.project.count({ where });
";
    let handlers = "\
import { deleteProject, renameProject, countProjects } from './projects';
export async function remove(req, res) {
  const project = await load(req.query.id);
  if (project.organizationId !== req.user.organizationId) return res.status(403).end();
  await deleteProject(project.id);
}
export async function rename(req, res) {
  await renameProject(req.query.id, req.body.name);
}
export async function count(req, res) {
  res.json(await countProjects({ where: { organizationId: req.user.organizationId } }));
}
";
    // A function of the same name that is not the helper.
    let other = "export async function deleteProject(p) { await fetch('/api/p/' + p.id, { method: 'DELETE' }); }\nexport const go = () => deleteProject({ id: 1 });\n";
    let evidence = evidence_of_files(&[
        (
            "package.json",
            r#"{ "dependencies": { "express": "^4", "@prisma/client": "^5" } }"#,
        ),
        ("prisma/schema.prisma", SCHEMA),
        ("src/projects.ts", helpers),
        ("src/handlers.ts", handlers),
        ("src/other.ts", other),
    ])?;
    assert_eq!(
        found(&evidence, "source.tenant-unfiltered-query"),
        [("src/projects.ts", Some(4), Confidence::Low)]
    );
    assert_eq!(ratio(&evidence, "source.tenant-queries"), Some((2, 3)));
    Ok(())
}

#[test]
fn django_models_with_a_tenant_relation_are_read_through_their_managers() -> anyhow::Result<()> {
    let models = "\
from django.db import models

class Organization(models.Model):
    name = models.CharField(max_length=100)

class Invoice(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    amount = models.IntegerField()

class Tag(models.Model):
    organizations = models.ManyToManyField(Organization)
    label = models.CharField(max_length=20)
";
    let views = "\
from django.shortcuts import get_object_or_404
from .models import Invoice, Tag

def mine(request):
    return Invoice.objects.filter(organization=request.user.organization)

def one(request, pk):
    return get_object_or_404(Invoice, pk=pk, organization__id=request.user.org_id)

def anyone(request, pk):
    return get_object_or_404(Invoice, pk=pk)

def remove(request, pk):
    Invoice.objects.filter(pk=pk).delete()

def tags(request):
    return Tag.objects.all()
";
    let evidence = evidence_of_files(&[
        ("requirements.txt", "Django==5.0\n"),
        ("billing/models.py", models),
        ("billing/views.py", views),
    ])?;
    assert_eq!(
        evidence.facts["source.tenant-models"].value,
        FactValue::List {
            values: vec!["Invoice (organization, Django)".to_owned()]
        }
    );
    assert_eq!(
        found(&evidence, "source.tenant-unfiltered-query"),
        [
            ("billing/views.py", Some(11), Confidence::Low),
            ("billing/views.py", Some(14), Confidence::Low)
        ]
    );
    assert_eq!(ratio(&evidence, "source.tenant-queries"), Some((2, 4)));
    Ok(())
}

#[test]
fn sqlalchemy_queries_name_their_model_first() -> anyhow::Result<()> {
    let models = "\
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()

class Document(Base):
    __tablename__ = 'documents'
    id = Column(Integer, primary_key=True)
    workspace_id = Column(Integer, ForeignKey('workspaces.id'))
    title = Column(String)
";
    let api = "\
from sqlalchemy import select
from fastapi import APIRouter
from .models import Document

router = APIRouter()

@router.get('/documents')
def listing(session, user):
    return session.query(Document).filter(Document.workspace_id == user.workspace_id).all()

@router.get('/documents/{doc_id}')
def one(session, doc_id: int):
    return session.get(Document, doc_id)

@router.get('/search')
def search(session, user):
    return session.execute(select(Document).filter_by(workspace_id=user.workspace_id))
";
    let evidence = evidence_of_files(&[
        ("requirements.txt", "fastapi==0.110\nsqlalchemy==2.0\n"),
        ("app/models.py", models),
        ("app/api.py", api),
    ])?;
    assert_eq!(
        evidence.facts["source.tenant-models"].value,
        FactValue::List {
            values: vec!["Document (workspace_id, SQLAlchemy)".to_owned()]
        }
    );
    assert_eq!(
        found(&evidence, "source.tenant-unfiltered-query"),
        [("app/api.py", Some(13), Confidence::Low)]
    );
    assert_eq!(ratio(&evidence, "source.tenant-queries"), Some((2, 3)));
    Ok(())
}

#[test]
fn typeorm_repositories_and_mongoose_models_are_queries_too() -> anyhow::Result<()> {
    let entity = "\
import { Entity, PrimaryGeneratedColumn, Column, ManyToOne } from 'typeorm';
import { Team } from './team.entity';

@Entity()
export class Project {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Team)
  team: Team;

  @Column()
  name: string;
}
";
    let service = "\
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Project } from './project.entity';

@Injectable()
export class ProjectsService {
  constructor(@InjectRepository(Project) private projectsRepository: Repository<Project>) {}

  forTeam(teamId: number) {
    return this.projectsRepository.find({ where: { team: { id: teamId } } });
  }

  byId(id: number) {
    return this.projectsRepository.findOneBy({ id });
  }

  mineById(id: number, teamId: number) {
    return this.projectsRepository.findOneBy({ id, team: { id: teamId } });
  }
}
";
    let mongo = "\
import mongoose from 'mongoose';
const noteSchema = new mongoose.Schema({ accountId: String, body: String });
export const Note = mongoose.model('Note', noteSchema);
";
    let notes = "\
import { Note } from './note.model';
export async function list(req, res) {
  res.json(await Note.find({ accountId: req.user.accountId }));
}
export async function one(req, res) {
  const note = await Note.findById(req.params.id);
  await note.updateOne({ body: req.body.body });
  res.json(note);
}
";
    let evidence = evidence_of_files(&[
        (
            "package.json",
            r#"{ "dependencies": { "@nestjs/core": "^10", "typeorm": "^0.3", "express": "^4", "mongoose": "^8" } }"#,
        ),
        ("src/project.entity.ts", entity),
        ("src/projects.service.ts", service),
        ("src/note.model.ts", mongo),
        ("src/notes.ts", notes),
    ])?;
    assert_eq!(
        evidence.facts["source.tenant-models"].value,
        FactValue::List {
            values: vec![
                "Note (accountId, Mongoose)".to_owned(),
                "Project (team, TypeORM)".to_owned()
            ]
        }
    );
    assert_eq!(
        found(&evidence, "source.tenant-unfiltered-query"),
        [
            ("src/notes.ts", Some(6), Confidence::Low),
            ("src/projects.service.ts", Some(15), Confidence::Low)
        ]
    );
    assert_eq!(ratio(&evidence, "source.tenant-queries"), Some((3, 5)));
    Ok(())
}

#[test]
fn queries_in_callbacks_rows_judged_by_a_policy_and_background_jobs() -> anyhow::Result<()> {
    let models = "\
import { Sequelize, DataTypes } from 'sequelize';
export const sequelize = new Sequelize(process.env.DATABASE_URL);
export const Board = sequelize.define('Board', { teamId: DataTypes.UUID, name: DataTypes.STRING });
";
    let routes = "\
import Router from 'koa-router';
import { Board } from '../models';
import { authorize } from '../policies';
import { paginate } from './paginate';
const router = new Router();
router.post('boards.list', requireUser, async (ctx) => {
  const { user } = ctx.state;
  let where = { teamId: user.teamId };
  ctx.body = await paginate(ctx, (opts) => Board.findAll({ where, offset: opts.offset }));
});
router.post('boards.delete', requireUser, async (ctx) => {
  const board = await Board.findByPk(ctx.request.body.id);
  authorize(ctx.state.user, 'delete', board);
  await board.destroy();
});
router.post('cards.move', requireUser, async (ctx) => {
  const card = await Card.findByPk(ctx.request.body.id);
  authorize(ctx.state.user, 'update', card);
  const board = await Board.findByPk(card.boardId);
  const other = await Board.findByPk(ctx.request.body.boardId);
  await card.update({ boardId: other.id, position: board.size });
});
router.post('boards.rename', requireUser, async (ctx) => {
  const board = await Board.findByPk(ctx.request.body.id);
  audit(ctx.state.user, 'rename', board);
  await board.update({ name: ctx.request.body.name });
});
export default router;
";
    let task = "\
import { Board } from '../models';
export default class ArchiveBoardTask {
  async perform({ boardId }) {
    const board = await Board.findByPk(boardId);
    await board.update({ archived: true });
  }
}
";
    let evidence = evidence_of_files(&[
        (
            "package.json",
            r#"{ "dependencies": { "koa": "^2", "koa-router": "^12", "sequelize": "^6" } }"#,
        ),
        ("server/models.ts", models),
        ("server/routes/boards.ts", routes),
        ("server/tasks/ArchiveBoardTask.ts", task),
    ])?;
    // The callback's filter is the handler's `where`; the deleted board
    // goes through the policy; the renamed one is only logged, which is
    // no check. The background task is not request code. The board a
    // card already points at is a relation followed, not an id the caller
    // chose; the board named in the request is.
    assert_eq!(
        found(&evidence, "source.tenant-unfiltered-query"),
        [
            ("server/routes/boards.ts", Some(20), Confidence::Low),
            ("server/routes/boards.ts", Some(24), Confidence::Low)
        ]
    );
    assert_eq!(ratio(&evidence, "source.tenant-queries"), Some((2, 4)));
    Ok(())
}
