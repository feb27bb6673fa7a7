import {
  Body,
  Catch,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Injectable,
  Module,
  NotFoundException,
  NotImplementedException,
  Param,
  Post,
  Query,
  Req,
  Res,
  SetMetadata,
  UnauthorizedException,
  UseFilters,
  UseGuards,
  type ArgumentsHost,
  type CanActivate,
  type DynamicModule,
  type ExceptionFilter,
  type ExecutionContext,
} from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { SwaggerUiPage } from '@app/observability';
import { WarehouseError } from '@app/warehouse';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { ResearchNotFoundError, ResearchRequestError, ResearchUnavailableError } from './errors';
import { researchOpenApiDocument } from './openapi';
import {
  hasResearchScope,
  ResearchCredentialStore,
  type Researcher,
  type ResearchScope,
} from './research-credentials';
import { ResearchService } from './research.service';

export const RESEARCH_PREFIX = 'research/v1';
export const RESEARCH_DOCS_PATH = '/research/docs';
export const RESEARCH_OPENAPI_PATH = '/research/v1/openapi.json';
const REALM = 'Basic realm="research"';

const SCOPE = 'research:scope';
const RequiresScope = (scope: ResearchScope) => SetMetadata(SCOPE, scope);

type ResearchRequest = FastifyRequest & { researcher?: Researcher };

class ResearchUnauthorizedException extends UnauthorizedException {}

/** HTTP Basic against the researcher credentials, then the route's scope. */
@Injectable()
export class ResearchAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ResearchCredentialStore) private readonly credentials: ResearchCredentialStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = this.reflector.get<ResearchScope | undefined>(SCOPE, context.getHandler());
    if (scope === undefined) throw new ForbiddenException('research route without a scope');
    const request = context.switchToHttp().getRequest<ResearchRequest>();
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (match === null) throw new ResearchUnauthorizedException('researcher Basic credentials are required');
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new ResearchUnauthorizedException('malformed Basic credentials');
    const researcher = await this.credentials.verify(decoded.slice(0, colon), decoded.slice(colon + 1));
    if (researcher === undefined) throw new ResearchUnauthorizedException('unknown key or wrong secret');
    if (!hasResearchScope(researcher, scope))
      throw new ForbiddenException(`this credential lacks the scope ${scope}`);
    request.researcher = researcher;
    return true;
  }
}

/** 400 with every issue, 404, 503 for an unready or failing store; the Basic challenge on 401. */
@Catch()
export class ResearchExceptionFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse<unknown>();
    const reply = (status: number, body: unknown) => httpAdapter.reply(response, body, status);
    if (exception instanceof ResearchRequestError)
      return reply(400, { error: exception.title, issues: exception.issues });
    if (exception instanceof ResearchNotFoundError)
      return reply(404, { error: exception.message, issues: [] });
    if (exception instanceof ResearchUnavailableError)
      return reply(503, { error: exception.message, issues: [] });
    if (exception instanceof HttpException) {
      if (exception instanceof ResearchUnauthorizedException)
        httpAdapter.setHeader(response, 'WWW-Authenticate', REALM);
      return reply(exception.getStatus(), exception.getResponse());
    }
    if (exception instanceof WarehouseError)
      return reply(503, {
        error: 'the analytics store failed',
        issues: [{ field: '', message: exception.message }],
      });
    return reply(500, {
      error: exception instanceof Error ? exception.message : String(exception),
      issues: [],
    });
  }
}

function researcherOf(request: ResearchRequest): Researcher {
  if (!request.researcher) throw new ResearchUnauthorizedException('not authenticated');
  return request.researcher;
}

@Controller(RESEARCH_PREFIX)
@UseGuards(ResearchAuthGuard)
@UseFilters(ResearchExceptionFilter)
export class ResearchController {
  constructor(@Inject(ResearchService) private readonly research: ResearchService) {}

  @Get('metrics/engagement')
  @RequiresScope('research/metrics')
  engagement(@Req() request: ResearchRequest, @Query() query: Record<string, unknown>) {
    return this.research.metric(researcherOf(request), 'engagement', query);
  }

  @Get('metrics/skills')
  @RequiresScope('research/metrics')
  skills(@Req() request: ResearchRequest, @Query() query: Record<string, unknown>) {
    return this.research.metric(researcherOf(request), 'skills', query);
  }

  @Get('metrics/balance')
  @RequiresScope('research/metrics')
  balance(@Req() request: ResearchRequest, @Query() query: Record<string, unknown>) {
    return this.research.balance(researcherOf(request), query);
  }

  @Post('studies')
  @RequiresScope('research/studies')
  createStudy(@Req() request: ResearchRequest, @Body() body: unknown) {
    return this.research.createStudy(researcherOf(request), body);
  }

  @Get('studies')
  @RequiresScope('research/studies')
  listStudies() {
    return this.research.studies.listStudies();
  }

  @Get('studies/:studyId')
  @RequiresScope('research/studies')
  getStudy(@Param('studyId') studyId: string) {
    return this.research.studies.getStudy(studyId);
  }

  @Post('studies/:studyId/extracts')
  @RequiresScope('research/extracts')
  createExtract(@Req() request: ResearchRequest, @Param('studyId') studyId: string, @Body() body: unknown) {
    return this.research.createExtract(researcherOf(request), studyId, body);
  }

  @Get('studies/:studyId/extracts')
  @RequiresScope('research/extracts')
  listExtracts(@Param('studyId') studyId: string) {
    return this.research.studies.listExtracts(studyId);
  }

  @Get('studies/:studyId/extracts/:extractId')
  @RequiresScope('research/extracts')
  getExtract(@Param('studyId') studyId: string, @Param('extractId') extractId: string) {
    return this.research.studies.getExtract(studyId, extractId);
  }

  @Get('studies/:studyId/extracts/:extractId/data')
  @RequiresScope('research/extracts')
  async extractData(
    @Req() request: ResearchRequest,
    @Param('studyId') studyId: string,
    @Param('extractId') extractId: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const data = await this.research.extractData(researcherOf(request), studyId, extractId);
    await reply
      .header('Content-Type', data.contentType)
      .header('Content-Disposition', `attachment; filename="${data.fileName}"`)
      .header('X-Extract-SHA256', data.sha256)
      .header('X-Extract-Cut-Through', data.extract.cutThrough)
      .header('X-Extract-Reproduced', String(data.sha256 === data.extract.sha256))
      .send(data.bytes);
  }

  @Get('audit')
  @RequiresScope('research/audit')
  audit(@Req() request: ResearchRequest, @Query() query: Record<string, unknown>) {
    return this.research.readAudit(researcherOf(request), query);
  }

  @Delete('learners/:learnerId')
  @HttpCode(200)
  @RequiresScope('research/erasure')
  erase(@Req() request: ResearchRequest, @Param('learnerId') learnerId: string) {
    if (!this.research.erasureAvailable)
      throw new NotImplementedException('this process has no learner registry');
    return this.research.eraseLearner(researcherOf(request), learnerId);
  }
}

const ASSETS = `${RESEARCH_DOCS_PATH}/assets`;
const DOCS_PAGE = new SwaggerUiPage({
  title: 'Research API',
  documentUrl: RESEARCH_OPENAPI_PATH,
  assetsPath: ASSETS,
  initFile: 'research-docs-init.js',
});

/** GET /research/v1/openapi.json and the Swagger UI page at /research/docs, from the local swagger-ui-dist. */
@Controller()
export class ResearchDocsController {
  private document: string | undefined;

  @Get(RESEARCH_OPENAPI_PATH.slice(1))
  async openApi(@Res() reply: FastifyReply): Promise<void> {
    this.document ??= JSON.stringify(researchOpenApiDocument());
    await reply.header('Content-Type', 'application/json; charset=utf-8').send(this.document);
  }

  @Get(RESEARCH_DOCS_PATH.slice(1))
  async page(@Res() reply: FastifyReply): Promise<void> {
    await reply.header('Content-Type', 'text/html; charset=utf-8').send(DOCS_PAGE.html);
  }

  @Get(`${ASSETS.slice(1)}/:file`)
  async asset(@Param('file') file: string, @Res() reply: FastifyReply): Promise<void> {
    const asset = await DOCS_PAGE.asset(file);
    if (asset === undefined) throw new NotFoundException(`no documentation asset ${file}`);
    await reply
      .header('Content-Type', asset.type)
      .header('Cache-Control', 'public, max-age=3600')
      .send(asset.content);
  }
}

export interface InsightsModuleOptions {
  readonly research: ResearchService;
  readonly credentials: ResearchCredentialStore;
}

/** Mounts the research API (/research/v1/*, /research/docs) in a host's Fastify application. */
@Module({})
export class InsightsModule {
  static forRoot(options: InsightsModuleOptions): DynamicModule {
    return {
      module: InsightsModule,
      controllers: [ResearchController, ResearchDocsController],
      providers: [
        { provide: ResearchService, useValue: options.research },
        { provide: ResearchCredentialStore, useValue: options.credentials },
        ResearchAuthGuard,
        ResearchExceptionFilter,
      ],
    };
  }
}
