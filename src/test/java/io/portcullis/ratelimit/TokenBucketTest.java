package io.portcullis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  @Test
  void aNewBucketIsFullAndWorksWithNegativeTickerReadings() {
    long now = -5_000_000_000L;
    TokenBucket bucket = new TokenBucket(1_000, 2, now);

    assertThat(bucket.isFull(now)).isTrue();
    assertThat(bucket.tryAcquire(now)).isEqualTo(TokenBucket.ADMITTED);
    assertThat(bucket.isFull(now)).isFalse();
    assertThat(bucket.tryAcquire(now)).isEqualTo(TokenBucket.ADMITTED);
    assertThat(bucket.tryAcquire(now)).isEqualTo(1_000);
    assertThat(bucket.isFull(now + 2_000)).isTrue();
  }

  @Test
  void onlyAFullBucketIsRetiredAndARetiredOneGivesNoToken() {
    TokenBucket bucket = new TokenBucket(1_000, 1, 0);
    bucket.tryAcquire(0);

    assertThat(bucket.retireIfFull(999)).isFalse();
    assertThat(bucket.retireIfFull(1_000)).isTrue();
    assertThat(bucket.retireIfFull(1_000)).isFalse();
    assertThat(bucket.tryAcquire(5_000)).isEqualTo(TokenBucket.RETIRED);
    assertThat(bucket.isFull(5_000)).isFalse();
  }

  @Test
  void rejectsAnIntervalOrCapacityOutOfRange() {
    assertThatThrownBy(() -> new TokenBucket(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(Long.MAX_VALUE / 2, 2, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
