package io.github.cancelscope.autoconfigure.jpa;

import jakarta.persistence.QueryHint;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.jpa.repository.QueryHints;
import org.springframework.data.repository.query.Param;

/**
 * A Spring Data JPA repository whose queries sleep on the server.
 */
interface PurchaseRepository extends JpaRepository<Purchase, Long> {

	@Query(value = "SELECT 1 FROM pg_sleep(:seconds)", nativeQuery = true)
	int sleep(@Param("seconds") double seconds);

	/**
	 * Sleeps under Hibernate's query timeout hint of 1 s.
	 */
	@Query(value = "SELECT 1 FROM pg_sleep(:seconds)", nativeQuery = true)
	@QueryHints(@QueryHint(name = "jakarta.persistence.query.timeout", value = "1000"))
	int sleepWithin1Second(@Param("seconds") double seconds);

	/**
	 * Sleeps under Hibernate's query timeout hint of 20 s.
	 */
	@Query(value = "SELECT 1 FROM pg_sleep(:seconds)", nativeQuery = true)
	@QueryHints(@QueryHint(name = "jakarta.persistence.query.timeout", value = "20000"))
	int sleepWithin20Seconds(@Param("seconds") double seconds);

}
