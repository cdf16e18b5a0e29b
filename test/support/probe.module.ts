import { Body, Controller, Module, Post } from '@nestjs/common';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';

class ProbeBody {
  @IsString()
  @MaxLength(10)
  name: string;

  @IsInt()
  @Min(1)
  @Max(5)
  count: number;
}

/** A route that exercises the real HTTP pipeline (body parsing, validation, errors) in tests. */
@Controller('test-probe')
class ProbeController {
  @Post('echo')
  echo(@Body() body: ProbeBody): ProbeBody {
    return body;
  }

  @Post('explode')
  explode(): never {
    throw new Error('database password is hunter2');
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
