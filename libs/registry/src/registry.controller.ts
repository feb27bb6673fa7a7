import { LearnerCsvError, LearnerValidationError, type LearnerIssue } from '@app/enrichment';
import {
  BadRequestException,
  Body,
  Catch,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  Inject,
  NotFoundException,
  Param,
  Post,
  Put,
  UseFilters,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LearnerRegistry } from './learner-registry';
import { RegistryAuthGuard, RegistryUnauthorizedException, RequiresRegistryAccess } from './registry-auth';

/** 400 body of the registry API: every broken rule, `field` naming the JSON field (or CSV column). */
export interface RegistryErrorBody {
  readonly error: string;
  readonly issues: readonly LearnerIssue[];
  /** For an unreadable CSV file: the line where reading stopped. */
  readonly line?: number;
}

/** Validation errors → 400 with issues; HTTP errors as they are (a 401 with its Basic challenge). */
@Catch()
export class RegistryExceptionFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse<unknown>();
    if (exception instanceof LearnerValidationError) {
      const body: RegistryErrorBody = { error: 'invalid learner', issues: exception.issues };
      httpAdapter.reply(response, body, 400);
      return;
    }
    if (exception instanceof LearnerCsvError) {
      const body: RegistryErrorBody = {
        error: 'unreadable learner CSV',
        issues: [{ field: '', rule: exception.rule, message: exception.message }],
        line: exception.line,
      };
      httpAdapter.reply(response, body, 400);
      return;
    }
    if (exception instanceof HttpException) {
      if (exception instanceof RegistryUnauthorizedException) {
        httpAdapter.setHeader(response, 'WWW-Authenticate', exception.challenge);
      }
      httpAdapter.reply(response, exception.getResponse(), exception.getStatus());
      return;
    }
    // Warehouse or broker trouble: the write may not be durable; the client should retry.
    httpAdapter.reply(
      response,
      { statusCode: 503, error: 'registry unavailable', message: errorMessage(exception) },
      503,
    );
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The learner registry's HTTP API. Writes answer only once `dim_learners` and the change feed hold the
 * change. Ids are our pseudonymous learner ids (`L…` or a UUID).
 */
@Controller('registry/learners')
@UseGuards(RegistryAuthGuard)
@UseFilters(RegistryExceptionFilter)
export class RegistryController {
  constructor(@Inject(LearnerRegistry) private readonly registry: LearnerRegistry) {}

  /** CSV import (`Content-Type: text/csv`): accepted rows are stored, rejected rows listed with their lines. */
  @Post('import')
  @HttpCode(200)
  @RequiresRegistryAccess('write')
  async importCsv(@Body() body: unknown) {
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) {
      throw new BadRequestException('send the learner CSV as the request body with Content-Type: text/csv');
    }
    return this.registry.importCsv(body.toString());
  }

  @Put(':id')
  @RequiresRegistryAccess('write')
  async put(@Param('id') id: string, @Body() body: unknown) {
    return this.registry.put(id, body);
  }

  @Get(':id')
  @RequiresRegistryAccess('read')
  async get(@Param('id') id: string) {
    const learner = await this.registry.get(id);
    if (learner === undefined) throw new NotFoundException(`no learner ${id}`);
    return learner;
  }

  /** PIPL erasure of the registry entry (the learner's statements are erased by a separate job). */
  @Delete(':id')
  @RequiresRegistryAccess('write')
  async delete(@Param('id') id: string) {
    const tombstone = await this.registry.delete(id);
    if (tombstone === undefined) throw new NotFoundException(`no learner ${id}`);
    return tombstone;
  }
}
